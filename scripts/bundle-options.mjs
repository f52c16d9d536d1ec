// The esbuild options of the CLI's bundle that decide how its code loads and runs: shared by the build
// (scripts/build.mjs) and the bench's "Azure SDKs alone" script (bench/sdk-floor.mjs), so that the bench
// compares miauth with the same SDK code, bundled the same way.
import { requireHttp } from "./startup-patches.mjs";

/** `patches`: startupPatches().plugin (its check() is the caller's). */
export function bundleOptions(patches) {
  return {
    plugins: [patches, requireHttp],
    absWorkingDir: new URL("..", import.meta.url).pathname,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.3",
    minify: true,
    // Error classes are told apart by name in places (ours and the SDKs'): keep names through minifying.
    keepNames: true,
    // arm-authorization and arm-resources-subscriptions have no "exports": take their ES modules
    // ("module"), whose named exports a dynamic import() sees, rather than their CommonJS "main".
    mainFields: ["module", "main"],
    // CommonJS packages inside the bundle call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __miauthRequire } from "node:module"; const require = __miauthRequire(import.meta.url);',
    },
    logLevel: "warning",
  };
}
