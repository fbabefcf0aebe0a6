import type { Plan } from "../../../src/ir/schema.js";
import { everyKind } from "./every-kind.js";
import { hostileText } from "./hostile-text.js";
import { summitFullUpgrade } from "./summit-full-upgrade.js";

/** The fixture plans of the emitter tests, by the name of their golden files. */
export const FIXTURE_PLANS: Record<string, () => Plan> = {
  "summit-full-upgrade": summitFullUpgrade,
  "every-kind": everyKind,
  "hostile-text": hostileText,
};
