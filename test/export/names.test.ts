import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  defaultConfigMapName,
  dnsSlug,
  isDnsLabel,
  labelValue,
  MAX_NAME,
  objectName,
  stepTaskName,
  stepTaskNames,
} from "../../src/emit/argo-names.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";

/** Task names are DNS-safe, Argo-valid, never start with a digit, and never shared by two step ids. */

const ARGO_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const COMPILER_ID = fc
  .array(fc.oneof(fc.integer({ min: 1, max: 999 }).map(String), fc.constant("end")), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => parts.join("."));

describe("task names from step ids", () => {
  it("keep the compiler's ids readable: dots become dashes", () => {
    expect(stepTaskName("2.3.1")).toBe("step-2-3-1");
    expect(stepTaskName("1.end")).toBe("step-1-end");
    expect(stepTaskName("10.12")).toBe("step-10-12");
  });

  it("are valid Argo names with room for the `-confirm` suffix, for any id (property)", () => {
    fc.assert(
      fc.property(fc.oneof(COMPILER_ID, fc.string({ unit: "binary", maxLength: 80 })), (id) => {
        const name = stepTaskName(id);
        expect(name).toMatch(ARGO_NAME);
        expect(name).toMatch(/^step-/);
        expect(`${name}-confirm`.length).toBeLessThanOrEqual(MAX_NAME);
        expect(`undo-${name}`.length).toBeLessThanOrEqual(MAX_NAME);
      }),
      { numRuns: 500 },
    );
  });

  it("never give two different ids one name (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(
            COMPILER_ID,
            fc.string({ maxLength: 12 }),
            fc.constantFrom("1-1", "1.1", "1_1", "A.1", "a.1"),
          ),
          {
            maxLength: 40,
          },
        ),
        (ids) => {
          const names = ids.map(stepTaskName);
          expect(new Set(names).size).toBe(ids.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("tell apart ids that slug alike", () => {
    const names = ["1.1", "1-1", "1_1", "A.1", "a.1", ""].map(stepTaskName);
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe("step-1-1");
    expect(names[1]).toMatch(/^step-1-1-[0-9a-f]{8}$/);
  });

  it("cover every step of the fixture plans, one name each", () => {
    for (const make of Object.values(FIXTURE_PLANS)) {
      const plan = make();
      const names = stepTaskNames(plan);
      expect(names.size).toBe(plan.steps.length);
      expect(new Set(names.values()).size).toBe(plan.steps.length);
    }
  });
});

describe("Kubernetes names and labels", () => {
  it("object names are DNS labels of at most 63 characters", () => {
    expect(objectName(["plan", "Full Upgrade!", "summit"])).toBe("plan-full-upgrade-summit");
    expect(objectName(["", "--"])).toBe("plan");
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 4 }), (parts) => {
        expect(isDnsLabel(objectName(parts))).toBe(true);
      }),
    );
    const plan = FIXTURE_PLANS["summit-full-upgrade"]!();
    expect(isDnsLabel(defaultConfigMapName(plan))).toBe(true);
    expect(defaultConfigMapName(plan)).toMatch(new RegExp(`-${plan.hash.slice(7, 19)}$`));
  });

  it("label values keep to Kubernetes' alphabet", () => {
    expect(labelValue("2.3.1")).toBe("2.3.1");
    expect(labelValue("ScriptQueue:1")).toBe("ScriptQueue-1");
    expect(labelValue("-x-")).toBe("x");
    expect(dnsSlug("ATDome/ÜX")).toBe("atdome-x");
  });
});
