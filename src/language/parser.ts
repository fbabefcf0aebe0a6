import type { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import { CstParser, EOF } from "./chevrotain.js";
import * as T from "./tokens.js";

/**
 * The tokens that the parser expected where an error occurred, keyed by the token it found instead,
 * so that the front end can tell a misspelled keyword or a keyword used as a name from other errors.
 */
export const expectedAt = new WeakMap<IToken, TokenType[]>();

/**
 * Records what was expected at a token: the first error at a token wins, as later ones are recovery. The
 * end-of-file token is one object shared by every parse, so there the latest error wins.
 */
function remember(token: IToken, expected: TokenType[]): void {
  if (token.tokenType === EOF || !expectedAt.has(token)) expectedAt.set(token, expected);
}

/**
 * Parse-error messages in words: every token type has a label, so an error reads
 * "expected `{` or `after`, found a string".
 */
export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    // Recovery inside the top-level repetition expects the end of the file: a declaration is what fits.
    if (expected === EOF) {
      remember(actual, [...topLevelStarts]);
      return `expected a declaration, found ${found(actual.image, actual.tokenType)}`;
    }
    remember(actual, [expected]);
    return `expected ${describe(expected)}, found ${found(actual.image, actual.tokenType)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    remember(firstRedundant, [...topLevelStarts]);
    return `expected a declaration, found ${found(firstRedundant.image, firstRedundant.tokenType)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const first = new Set<string>();
    const types: TokenType[] = [];
    for (const alt of expectedPathsPerAlt) {
      for (const path of alt) {
        if (path[0]) {
          first.add(describe(path[0]));
          types.push(path[0]);
        }
      }
    }
    const token = actual[0]!;
    remember(token, types);
    // The step keywords are too many to list in a message; the help line lists them.
    const what = ruleName === "stepCore" ? "a step" : `${orList([...first])}${context(ruleName)}`;
    return `expected ${what}, found ${found(token.image, token.tokenType)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const first = new Set<string>();
    const types: TokenType[] = [];
    for (const path of expectedIterationPaths) {
      if (path[0]) {
        first.add(describe(path[0]));
        types.push(path[0]);
      }
    }
    const token = actual[0]!;
    remember(token, types);
    return `expected ${orList([...first])}${context(ruleName)}, found ${found(token.image, token.tokenType)}`;
  },
};

const topLevelStarts = [T.Import, T.Site, T.Group, T.Rules, T.Ignore, T.Procedure, T.Plan, T.Document];

function describe(t: TokenType): string {
  return typeof t.LABEL === "string" ? t.LABEL : t.name;
}

function found(image: string, type: TokenType): string {
  if (type.name === "EOF") return "the end of the file";
  if (T.keywordTokens.includes(type)) return `the keyword \`${image}\``;
  if (type === T.Ident) return `\`${image}\``;
  if (describe(type) === `\`${image}\``) return describe(type);
  return `${describe(type)} \`${image.length > 30 ? `${image.slice(0, 30)}…` : image}\``;
}

function orList(items: string[]): string {
  const sorted = [...new Set(items)].sort();
  if (sorted.length > 8) return `${sorted.slice(0, 8).join(", ")}, …`;
  if (sorted.length <= 1) return sorted[0] ?? "something else";
  return `${sorted.slice(0, -1).join(", ")} or ${sorted[sorted.length - 1]}`;
}

const ruleWords: Record<string, string> = {
  topDecl: "at the top level",
  siteItem: "in a site",
  phaseItem: "in a phase",
  procItem: "in a procedure",
  stepCore: "to start a step",
  step: "to start a step",
  value: "as a value",
  configValue: "as a value",
  condition: "as a condition",
  target: "as a CSC or application",
  inventoryEntry: "in an inventory entry",
  rule: "in a rule",
};

function context(ruleName: string): string {
  const words = ruleWords[ruleName];
  return words ? ` ${words}` : "";
}

/**
 * The grammar of `.dpl`, as a pure CST parser: it builds a concrete syntax tree and gives it no meaning
 * (`to-ast.ts` does that in one visitor). It recovers from errors so that one run reports all of them.
 */
export class DplParser extends CstParser {
  /**
   * `validate` runs chevrotain's checks of the grammar itself (ambiguities, left recursion, unreachable
   * alternatives), which throw on a faulty grammar. NOTE: only a change to this file can make them fail, so
   * the tests run them and `plan` skips them, as chevrotain advises for production: they cost start-up time.
   */
  constructor(options: { validate?: boolean; recover?: boolean } = {}) {
    super(T.allTokens, {
      recoveryEnabled: options.recover ?? true,
      errorMessageProvider: errorMessages,
      maxLookahead: 3,
      nodeLocationTracking: "onlyOffset",
      skipValidations: !options.validate,
    });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.topDecl));
  });

  topDecl = this.RULE("topDecl", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.siteDecl) },
      { ALT: () => this.SUBRULE(this.groupDecl) },
      { ALT: () => this.SUBRULE(this.rulesDecl) },
      { ALT: () => this.SUBRULE(this.ignoreDecl) },
      { ALT: () => this.SUBRULE(this.procedureDecl) },
      { ALT: () => this.SUBRULE(this.planDecl) },
      { ALT: () => this.SUBRULE(this.documentDecl) },
    ]);
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit);
  });

  // ── sites ──────────────────────────────────────────────────────────────────────────────────────────
  siteDecl = this.RULE("siteDecl", () => {
    this.CONSUME(T.Site);
    this.CONSUME(T.Ident);
    this.OPTION(() => this.SUBRULE(this.text));
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.siteItem));
    this.CONSUME(T.RCurly);
  });

  siteItem = this.RULE("siteItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.hostDecl) },
      { ALT: () => this.SUBRULE(this.appDecl) },
      { ALT: () => this.SUBRULE(this.appsDecl) },
      { ALT: () => this.SUBRULE(this.inventoryDecl) },
      { ALT: () => this.SUBRULE(this.ignoreDecl) },
      { ALT: () => this.SUBRULE(this.attribute) },
    ]);
  });

  /** `key value`: an attribute of a site, host or application. */
  attribute = this.RULE("attribute", () => {
    this.CONSUME(T.Ident);
    this.SUBRULE(this.value);
  });

  attributeBlock = this.RULE("attributeBlock", () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.attribute));
    this.CONSUME(T.RCurly);
  });

  hostDecl = this.RULE("hostDecl", () => {
    this.CONSUME(T.Host);
    this.CONSUME(T.Ident);
    this.SUBRULE(this.text);
    this.OPTION(() => this.SUBRULE(this.attributeBlock));
  });

  appDecl = this.RULE("appDecl", () => {
    this.CONSUME(T.App);
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.Project);
      this.CONSUME2(T.Ident);
    });
    this.OPTION2(() => this.SUBRULE(this.attributeBlock));
  });

  appsDecl = this.RULE("appsDecl", () => {
    this.CONSUME(T.Apps);
    this.OPTION(() => {
      this.CONSUME(T.Project);
      this.CONSUME(T.Ident);
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.CONSUME2(T.Ident);
      this.OPTION2(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  inventoryDecl = this.RULE("inventoryDecl", () => {
    this.CONSUME(T.Inventory);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.inventoryEntry));
    this.CONSUME(T.RCurly);
  });

  /** `ATAOS in auxtel`, `ATBuilding in auxtel simulator`, `ATCamera on auxtel-mcm`, `DSM:1 unknown`. */
  inventoryEntry = this.RULE("inventoryEntry", () => {
    this.SUBRULE(this.cscRef);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.In);
          this.CONSUME(T.Ident);
          this.OPTION(() => this.CONSUME(T.Simulator));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.On);
          this.CONSUME2(T.Ident);
        },
      },
      { ALT: () => this.CONSUME(T.Unknown) },
    ]);
    this.MANY(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Starts);
            this.CONSUME(T.State);
          },
        },
        { ALT: () => this.CONSUME(T.HeartbeatOnly) },
        {
          ALT: () => {
            this.CONSUME(T.Job);
            this.CONSUME(T.StringLit);
          },
        },
      ]);
    });
  });

  // ── groups, rules, ignore lists ────────────────────────────────────────────────────────────────────
  groupDecl = this.RULE("groupDecl", () => {
    this.CONSUME(T.Group);
    this.CONSUME(T.Ident);
    this.OPTION(() => this.SUBRULE(this.text));
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.target);
      this.OPTION2(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  rulesDecl = this.RULE("rulesDecl", () => {
    this.CONSUME(T.Rules);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.rule));
    this.CONSUME(T.RCurly);
  });

  /**
   * `offline Watcher first`, `offline ScriptQueue:* last`, `offline runner last among ScriptQueue:*`,
   * `sync love last in project telescope`, `sync science-platform before sync nublado`.
   */
  rule = this.RULE("rule", () => {
    this.OPTION({ GATE: () => this.LA(2).tokenType === T.Colon, DEF: () => this.SUBRULE(this.label) });
    this.CONSUME(T.RuleAction);
    this.SUBRULE(this.targets);
    this.OR([
      { ALT: () => this.CONSUME(T.First) },
      { ALT: () => this.CONSUME(T.Last) },
      {
        ALT: () => {
          this.CONSUME(T.Before);
          this.CONSUME2(T.RuleAction);
          this.SUBRULE2(this.targets);
        },
      },
    ]);
    this.OPTION2(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Among);
            this.SUBRULE3(this.targets);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.In);
            this.CONSUME(T.Project);
            this.CONSUME(T.Ident);
          },
        },
      ]);
    });
    this.MANY(() => this.SUBRULE(this.modifier));
  });

  /** `ignore MTM1M3 keep DISABLED because "..." only summit` */
  ignoreDecl = this.RULE("ignoreDecl", () => {
    this.CONSUME(T.Ignore);
    this.SUBRULE(this.cscRef);
    this.CONSUME(T.Keep);
    this.CONSUME(T.State);
    this.MANY(() => this.SUBRULE(this.modifier));
  });

  // ── procedures ─────────────────────────────────────────────────────────────────────────────────────
  procedureDecl = this.RULE("procedureDecl", () => {
    this.CONSUME(T.Procedure);
    this.CONSUME(T.Ident);
    this.OPTION(() => this.SUBRULE(this.text));
    this.OPTION2(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
      this.CONSUME(T.RParen);
    });
    this.MANY(() => this.SUBRULE(this.modifier));
    this.CONSUME(T.LCurly);
    this.MANY2(() => this.SUBRULE(this.procItem));
    this.CONSUME(T.RCurly);
  });

  /** `breaks_schema: bool = false "Whether the change breaks schema compatibility"` */
  param = this.RULE("param", () => {
    this.CONSUME(T.Ident);
    this.CONSUME(T.Colon);
    // Any word: the types `duration` and `apps` are also keywords.
    this.CONSUME(T.Word);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.value);
    });
    this.OPTION2(() => this.SUBRULE(this.text));
  });

  procItem = this.RULE("procItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.admonition) },
      { ALT: () => this.SUBRULE(this.phaseDecl) },
      { ALT: () => this.SUBRULE(this.ignoreDecl) },
    ]);
  });

  phaseDecl = this.RULE("phaseDecl", () => {
    this.CONSUME(T.Phase);
    this.CONSUME(T.Ident);
    this.OPTION(() => this.SUBRULE(this.text));
    this.MANY(() => this.SUBRULE(this.modifier));
    this.CONSUME(T.LCurly);
    this.MANY2(() => this.SUBRULE(this.phaseItem));
    this.CONSUME(T.RCurly);
  });

  phaseItem = this.RULE("phaseItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.admonition) },
      { ALT: () => this.SUBRULE(this.parallelBlock) },
      { ALT: () => this.SUBRULE(this.step) },
    ]);
  });

  parallelBlock = this.RULE("parallelBlock", () => {
    this.CONSUME(T.Parallel);
    this.MANY(() => this.SUBRULE(this.modifier));
    this.CONSUME(T.LCurly);
    this.MANY2(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.admonition) }, { ALT: () => this.SUBRULE(this.step) }]);
    });
    this.CONSUME(T.RCurly);
  });

  /** `important "..." only summit` */
  admonition = this.RULE("admonition", () => {
    this.CONSUME(T.AdmonitionKind);
    this.SUBRULE(this.text);
    this.MANY(() => this.SUBRULE(this.modifier));
  });

  label = this.RULE("label", () => {
    this.CONSUME(T.Ident);
    this.CONSUME(T.Colon);
  });

  step = this.RULE("step", () => {
    // A label is a name and a colon; gating on the colon lets a misspelled keyword (`ofline Watcher`)
    // be reported as such instead of as a label without its colon.
    this.OPTION({ GATE: () => this.LA(2).tokenType === T.Colon, DEF: () => this.SUBRULE(this.label) });
    this.SUBRULE(this.stepCore);
    this.MANY(() => this.SUBRULE(this.modifier));
  });

  stepCore = this.RULE("stepCore", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.transitionStep) },
      { ALT: () => this.SUBRULE(this.scriptStep) },
      { ALT: () => this.SUBRULE(this.runStep) },
      { ALT: () => this.SUBRULE(this.scaleStep) },
      { ALT: () => this.SUBRULE(this.deleteJobsStep) },
      { ALT: () => this.SUBRULE(this.annotateStep) },
      { ALT: () => this.SUBRULE(this.waitStep) },
      { ALT: () => this.SUBRULE(this.expectStep) },
      { ALT: () => this.SUBRULE(this.syncStep) },
      { ALT: () => this.SUBRULE(this.setCompatibilityStep) },
      { ALT: () => this.SUBRULE(this.manualStep) },
      { ALT: () => this.SUBRULE(this.notifyStep) },
      { ALT: () => this.SUBRULE(this.temporaryStep) },
      { ALT: () => this.SUBRULE(this.undoStep) },
    ]);
  });

  /** `offline everything via system_wide_shutdown.py on queue { user: "...", reason: "..." }` */
  transitionStep = this.RULE("transitionStep", () => {
    this.CONSUME(T.TransitionVerb);
    this.SUBRULE(this.targets);
    this.CONSUME(T.Via);
    this.CONSUME(T.ScriptName);
    this.CONSUME(T.On);
    this.SUBRULE(this.cscRef);
    this.OPTION(() => this.SUBRULE(this.configObject));
  });

  /** `script auxtel/track_target.py on ScriptQueue:2 { slew_icrs: { ra: 18, dec: -20 } }` */
  scriptStep = this.RULE("scriptStep", () => {
    this.CONSUME(T.Script);
    this.CONSUME(T.ScriptName);
    this.CONSUME(T.On);
    this.SUBRULE(this.cscRef);
    this.OPTION(() => this.SUBRULE(this.configObject));
  });

  /** `` run `sudo systemctl stop ${host.service}` on each camera `` */
  runStep = this.RULE("runStep", () => {
    this.CONSUME(T.Run);
    this.CONSUME(T.Command);
    this.OPTION(() => {
      this.CONSUME(T.On);
      this.OPTION2(() => this.CONSUME(T.Each));
      this.CONSUME(T.Ident);
    });
  });

  /** `scale deployments in "sasquatch" where "app.kubernetes.io/name=sasquatch-telegraf" to 0` */
  scaleStep = this.RULE("scaleStep", () => {
    this.SUBRULE(this.scaleCore);
  });

  scaleCore = this.RULE("scaleCore", () => {
    this.CONSUME(T.Scale);
    this.CONSUME(T.Deployments);
    this.CONSUME(T.In);
    this.SUBRULE(this.text);
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.SUBRULE2(this.text);
    });
    this.CONSUME(T.To);
    this.CONSUME(T.NumberLit);
  });

  /** `delete jobs in "obssys" where "csc-class=watcher"`, `delete jobs of affected` */
  deleteJobsStep = this.RULE("deleteJobsStep", () => {
    this.CONSUME(T.Delete);
    this.CONSUME(T.Jobs);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.In);
          this.SUBRULE(this.text);
          this.OPTION(() => {
            this.CONSUME(T.Where);
            this.SUBRULE2(this.text);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Of);
          this.SUBRULE(this.targets);
        },
      },
    ]);
  });

  annotateStep = this.RULE("annotateStep", () => {
    this.SUBRULE(this.annotateCore);
  });

  /** `annotate kafka "sasquatch" in "sasquatch" set "strimzi.io/pause-reconciliation" = "true"` */
  annotateCore = this.RULE("annotateCore", () => {
    this.CONSUME(T.Annotate);
    this.CONSUME(T.Word);
    this.SUBRULE(this.text);
    this.CONSUME(T.In);
    this.SUBRULE2(this.text);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.SetKw);
          this.SUBRULE3(this.text);
          this.CONSUME(T.Equals);
          this.SUBRULE4(this.text);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Remove);
          this.SUBRULE5(this.text);
        },
      },
    ]);
  });

  /** `wait 2m` or `wait until lag "telegraf-kafka-consumer" <= 0` */
  waitStep = this.RULE("waitStep", () => {
    this.CONSUME(T.Wait);
    this.OR([
      { ALT: () => this.CONSUME(T.Duration) },
      {
        ALT: () => {
          this.CONSUME(T.Until);
          this.SUBRULE(this.condition);
        },
      },
    ]);
  });

  /** `expect compatibility is FORWARD` */
  expectStep = this.RULE("expectStep", () => {
    this.CONSUME(T.Expect);
    this.SUBRULE(this.condition);
  });

  condition = this.RULE("condition", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Lag);
          this.SUBRULE(this.text);
          this.CONSUME(T.LessEq);
          this.CONSUME(T.NumberLit);
        },
      },
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Pods) }, { ALT: () => this.CONSUME(T.Deployments) }]);
          this.CONSUME(T.Ready);
          this.CONSUME(T.In);
          this.SUBRULE2(this.text);
          this.OPTION(() => {
            this.CONSUME(T.Where);
            this.SUBRULE3(this.text);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Compatibility);
          this.CONSUME(T.Is);
          this.CONSUME(T.Ident);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.targets);
          this.CONSUME2(T.Is);
          this.OR3([{ ALT: () => this.CONSUME(T.State) }, { ALT: () => this.CONSUME(T.Started) }]);
        },
      },
    ]);
  });

  /** `sync science-platform`, `sync project telescope` */
  syncStep = this.RULE("syncStep", () => {
    this.CONSUME(T.Sync);
    this.SUBRULE(this.targets);
  });

  setCompatibilityStep = this.RULE("setCompatibilityStep", () => {
    this.SUBRULE(this.setCompatibilityCore);
  });

  setCompatibilityCore = this.RULE("setCompatibilityCore", () => {
    this.CONSUME(T.SetKw);
    this.CONSUME(T.Compatibility);
    this.CONSUME(T.Ident);
  });

  /** `manual "Update the ESS controller ${host.name}" on each ess-controller` */
  manualStep = this.RULE("manualStep", () => {
    this.CONSUME(T.Manual);
    this.SUBRULE(this.text);
    this.OPTION(() => {
      this.CONSUME(T.On);
      this.OPTION2(() => this.CONSUME(T.Each));
      this.CONSUME(T.Ident);
    });
  });

  notifyStep = this.RULE("notifyStep", () => {
    this.CONSUME(T.Notify);
    this.SUBRULE(this.text);
  });

  /** `temporarily set compatibility NONE restore FORWARD until deploy` */
  temporaryStep = this.RULE("temporaryStep", () => {
    this.CONSUME(T.Temporarily);
    this.OR([
      { ALT: () => this.SUBRULE(this.scaleCore) },
      { ALT: () => this.SUBRULE(this.setCompatibilityCore) },
      { ALT: () => this.SUBRULE(this.annotateCore) },
    ]);
    this.OPTION(() => {
      this.CONSUME(T.Restore);
      this.SUBRULE(this.value);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Until);
      this.SUBRULE(this.stepRef);
    });
  });

  /** `undo telegraf-down`: where the undo of a temporary change goes, when not at the end. */
  undoStep = this.RULE("undoStep", () => {
    this.CONSUME(T.Undo);
    this.SUBRULE(this.stepRef);
  });

  // ── clauses ────────────────────────────────────────────────────────────────────────────────────────
  /** A clause after a step, phase, admonition, rule or ignore entry. */
  modifier = this.RULE("modifier", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Only);
          this.SUBRULE(this.nameList);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Except);
          this.SUBRULE2(this.nameList);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.When);
          this.SUBRULE(this.expression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.After);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.stepRef) });
        },
      },
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.By) },
            { ALT: () => this.CONSUME(T.Check) },
            { ALT: () => this.CONSUME(T.Cite) },
            { ALT: () => this.CONSUME(T.Confirm) },
            { ALT: () => this.CONSUME(T.Url) },
            { ALT: () => this.CONSUME(T.Because) },
            { ALT: () => this.CONSUME(T.Stdin) },
          ]);
          this.SUBRULE(this.text);
        },
      },
      {
        ALT: () => {
          this.OR3([
            { ALT: () => this.CONSUME(T.Timeout) },
            { ALT: () => this.CONSUME(T.Every) },
            { ALT: () => this.CONSUME(T.DurationKw) },
          ]);
          this.CONSUME(T.Duration);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Retry);
          this.CONSUME(T.NumberLit);
        },
      },
      { ALT: () => this.CONSUME(T.Critical) },
      { ALT: () => this.CONSUME(T.DoConfirm) },
      {
        ALT: () => {
          this.CONSUME(T.CommandKw);
          this.CONSUME(T.Command);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Else);
          this.OR4([
            { ALT: () => this.CONSUME(T.Fail) },
            { ALT: () => this.CONSUME(T.Continue) },
            {
              ALT: () => {
                this.CONSUME(T.Ask);
                this.SUBRULE2(this.text);
              },
            },
          ]);
        },
      },
    ]);
  });

  nameList = this.RULE("nameList", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Ident) });
  });

  /** A step or phase by name: `watcher-down`, `shutdown.watcher-down`. */
  stepRef = this.RULE("stepRef", () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Ident);
    });
  });

  /** `when breaks_schema`, `when not breaks_schema and kind == "os"` */
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.andExpression);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpression);
    });
  });

  andExpression = this.RULE("andExpression", () => {
    this.SUBRULE(this.unaryExpression);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.unaryExpression);
    });
  });

  unaryExpression = this.RULE("unaryExpression", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.unaryExpression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Ident);
          this.OPTION(() => {
            this.OR2([{ ALT: () => this.CONSUME(T.EqEq) }, { ALT: () => this.CONSUME(T.NotEq) }]);
            this.SUBRULE(this.value);
          });
        },
      },
    ]);
  });

  // ── targets, references and values ─────────────────────────────────────────────────────────────────
  targets = this.RULE("targets", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.target) });
    this.OPTION(() => {
      this.CONSUME(T.But);
      this.AT_LEAST_ONE_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.target) });
    });
  });

  /** A CSC (`Watcher`, `ScriptQueue:1`, `ESS:*`), group, application, parameter, `everything`, `runner`, `project X`. */
  target = this.RULE("target", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Everything) },
      { ALT: () => this.CONSUME(T.Runner) },
      {
        ALT: () => {
          this.CONSUME(T.Project);
          this.CONSUME(T.Ident);
        },
      },
      { ALT: () => this.SUBRULE(this.cscRef) },
    ]);
  });

  cscRef = this.RULE("cscRef", () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.OR([{ ALT: () => this.CONSUME(T.NumberLit) }, { ALT: () => this.CONSUME(T.Star) }]);
    });
  });

  text = this.RULE("text", () => {
    this.OR([{ ALT: () => this.CONSUME(T.StringLit) }, { ALT: () => this.CONSUME(T.TextBlock) }]);
  });

  /** A literal: a parameter default, a site attribute, a `restore` value. */
  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.text) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.Duration) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.State) },
      { ALT: () => this.SUBRULE(this.cscRef) },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY(() => {
            this.SUBRULE(this.value);
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });

  /** The configuration of a ScriptQueue script, YAML-like: `{ mute_alarms: false, data: [...] }`. */
  configObject = this.RULE("configObject", () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.configEntry);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  configEntry = this.RULE("configEntry", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Word) }, { ALT: () => this.CONSUME(T.StringLit) }]);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.configValue);
  });

  configValue = this.RULE("configValue", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.configObject) },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY(() => {
            this.SUBRULE(this.configValue);
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RBracket);
        },
      },
      { ALT: () => this.SUBRULE(this.text) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.Duration) },
      {
        ALT: () => {
          this.CONSUME2(T.Word);
          this.OPTION2(() => {
            this.CONSUME2(T.Colon);
            this.OR2([{ ALT: () => this.CONSUME2(T.NumberLit) }, { ALT: () => this.CONSUME(T.Star) }]);
          });
        },
      },
    ]);
  });

  // ── entries and source documents ───────────────────────────────────────────────────────────────────
  /** `plan full-upgrade(breaks_schema = true) for summit` */
  planDecl = this.RULE("planDecl", () => {
    this.CONSUME(T.Plan);
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.For);
    this.SUBRULE(this.nameList);
    this.MANY(() => this.SUBRULE(this.modifier));
  });

  argument = this.RULE("argument", () => {
    this.CONSUME(T.Ident);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  });

  /** The outline of a source document, so that citations resolve and traceability can be checked. */
  documentDecl = this.RULE("documentDecl", () => {
    this.CONSUME(T.Document);
    this.SUBRULE(this.text);
    this.SUBRULE2(this.text);
    this.MANY(() => this.SUBRULE(this.modifier));
    this.CONSUME(T.LCurly);
    this.MANY2(() => this.SUBRULE(this.documentSection));
    this.CONSUME(T.RCurly);
  });

  documentSection = this.RULE("documentSection", () => {
    this.CONSUME(T.Section);
    this.SUBRULE(this.text);
    this.SUBRULE2(this.text);
    this.MANY(() => this.SUBRULE(this.modifier));
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY2(() => this.SUBRULE(this.documentItem));
      this.CONSUME(T.RCurly);
    });
  });

  documentItem = this.RULE("documentItem", () => {
    this.CONSUME(T.Item);
    this.SUBRULE(this.text);
    this.SUBRULE2(this.text);
    this.MANY(() => this.SUBRULE(this.modifier));
  });
}

/** The parser is stateless between inputs; one instance serves a whole run. */
let instance: DplParser | undefined;
export function parserInstance(): DplParser {
  instance ??= new DplParser();
  return instance;
}

let strict: DplParser | undefined;

/**
 * The same grammar without chevrotain's error recovery: on a file without syntax errors it builds the same
 * tree, and it is built in a third of the time, since it needs no follow sets. NOTE: most files a run reads
 * have no error, so the front end tries this one first and builds the recovering one only for a file that
 * has errors (bench/RESULTS.md: start-up of `plan check`).
 */
export function strictParserInstance(): DplParser {
  strict ??= new DplParser({ recover: false });
  return strict;
}
