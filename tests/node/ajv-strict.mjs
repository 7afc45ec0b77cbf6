// Compiles every JSON Schema named on the command line (files, or folders
// of *.json) with ajv in strict mode, as an editor's or a pipeline's
// validator would: an unknown keyword or `format`, a type left implicit, a
// union strict mode forbids, each fails. ajv-formats adds the standard
// formats (date-time, date, uri, email…), nothing else.
//
//   node tests/node/ajv-strict.mjs schemas/ extra.schema.json
//
// Prints one line per schema and exits 1 if any did not compile.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import Ajv from "ajv";
import addFormats from "ajv-formats";

function files(args) {
  return args.flatMap((arg) =>
    statSync(arg).isDirectory()
      ? readdirSync(arg)
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => join(arg, f))
      : [arg],
  );
}

// A fresh validator per schema, so that one schema's `$id` cannot clash
// with another's or lend it definitions.
function validator(schema) {
  const draft2020 = String(schema.$schema ?? "").includes("2020-12");
  const ajv = draft2020 ? new Ajv2020({ strict: true }) : new Ajv({ strict: true });
  addFormats(ajv);
  return ajv;
}

const given = files(process.argv.slice(2));
if (given.length === 0) {
  console.error("usage: node ajv-strict.mjs SCHEMA.json|DIR…");
  process.exit(2);
}
let failed = 0;
for (const file of given) {
  try {
    const schema = JSON.parse(readFileSync(file, "utf8"));
    validator(schema).compile(schema);
    console.log(`ok ${file}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${file}: ${e.message}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
