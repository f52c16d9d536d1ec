// Loaded with `node --import` by test/e2e/startup.test.ts: records the URL of every module file the
// process loads into the file MIAUTH_TEST_LOADS names (the load hook runs on Node's loader thread).
import { register } from "node:module";

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
