// Architecture rules checked over the source tree with plain fs walking.
//
// 1. components/core/ is the pure core: none of its files may import `@pulumi/*`, nor reach outside
//    components/core/ with a relative import.
// 2. Comments and strings cite upstream projects, never notes kept outside this repository: no .ts
//    file may mention the notes folder, a section sign, or an absolute path under the machine's
//    work directory. The patterns are built at run time so this file does not match itself.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const REPO = path.resolve(__dirname, "../..");
const CORE = path.join(REPO, "components", "core");
const SCANNED_ROOTS = ["components", "plan", "bench", "test", "programs"];
const SKIPPED_DIRS = new Set(["node_modules", "bin", ".git"]);

/** Every .ts file under `dir`, sorted, skipping dependency and build folders. */
function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.isFile() && entry.name.endsWith(".ts")) out.push(full);
  }
  return out.sort();
}

const rel = (file: string): string => path.relative(REPO, file).split(path.sep).join("/");

/** The module specifiers of `import`, `export ... from`, `import()` and `require()` in a file. */
function importSpecifiers(file: string): string[] {
  return ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles.map((i) => i.fileName);
}

/** The pure-core import rules: each names what an offending import does. */
const CORE_IMPORT_RULES: Array<{ what: string; breaks: (file: string, specifier: string) => boolean }> = [
  { what: "imports a Pulumi package", breaks: (_file, specifier) => specifier === "@pulumi" || specifier.startsWith("@pulumi/") },
  {
    what: "leaves components/core/",
    breaks: (file, specifier) => {
      if (!specifier.startsWith(".")) return false;
      const inside = path.relative(CORE, path.resolve(path.dirname(file), specifier));
      return inside.startsWith("..") || path.isAbsolute(inside);
    },
  },
];

describe("architecture: components/core/ is pure", () => {
  const files = tsFiles(CORE);

  it("finds the core sources", () => {
    assert.ok(files.length > 0, `no .ts files under ${rel(CORE)}`);
  });

  it("no file imports @pulumi/* or anything outside components/core/", () => {
    const offenders = files.flatMap((file) =>
      importSpecifiers(file).flatMap((specifier) =>
        CORE_IMPORT_RULES.filter((rule) => rule.breaks(file, specifier)).map((rule) => `${rel(file)}: "${specifier}" ${rule.what}`),
      ),
    );
    if (offenders.length > 0) assert.fail(`${offenders.length} pure-core violations:\n  ${offenders.join("\n  ")}`);
  });
});

// Built from parts so that this file does not contain the patterns it looks for.
const SECTION_SIGN = String.fromCharCode(0xa7);
const NOTES_FOLDER = ["shared", "reference"].join("/");
/** The work directory at the start of an absolute path (not as a segment inside a longer relative path). */
const ABSOLUTE_WORK_PATH = new RegExp("(^|[^\\w./-])/" + "work/");

const FORBIDDEN: Array<{ what: string; test: (line: string) => boolean }> = [
  { what: "cites the notes folder", test: (line) => line.includes(NOTES_FOLDER) },
  { what: "uses a section sign", test: (line) => line.includes(SECTION_SIGN) },
  { what: "holds an absolute work-directory path", test: (line) => ABSOLUTE_WORK_PATH.test(line) },
];

describe("architecture: comments and strings cite upstream sources only", () => {
  it("no .ts file mentions the notes folder, a section sign or an absolute work-directory path", () => {
    const offenders: string[] = [];
    for (const root of SCANNED_ROOTS) {
      for (const file of tsFiles(path.join(REPO, root))) {
        fs.readFileSync(file, "utf8")
          .split(/\r?\n/)
          .forEach((line, index) => {
            for (const rule of FORBIDDEN) {
              if (rule.test(line)) offenders.push(`${rel(file)}:${index + 1} ${rule.what}: ${line.trim().slice(0, 120)}`);
            }
          });
      }
    }
    if (offenders.length > 0) assert.fail(`${offenders.length} offending lines:\n  ${offenders.join("\n  ")}`);
  });
});
