// Loaded with `node --import` by test/e2e/startup.test.ts: records the URL of every module file the
// process loads into the file MIAUTH_TEST_LOADS names (the load hook runs on Node's loader thread), and
// at exit Node's own modules the process loaded, as "builtin:NAME" (process.moduleLoadList).
import { appendFileSync } from "node:fs";
import { register } from "node:module";

const file = process.env.MIAUTH_TEST_LOADS ?? "";
process.on("exit", () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule "));
  if (file !== "") appendFileSync(file, builtins.map((m) => `builtin:${m.slice(13)}\n`).join(""));
});

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
const file = ${JSON.stringify(process.env.MIAUTH_TEST_LOADS ?? "")};
export async function load(url, context, next) {
  if (file !== "" && url.startsWith("file:")) appendFileSync(file, url + "\\n");
  return next(url, context);
}
`)}`,
);
