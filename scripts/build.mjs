// Builds dist/: the CLI and the emulator as one esbuild bundle, split into chunks so a command loads only
// the code it reaches (the SDK clients are imported lazily in src/azure/clients.ts, and each lazy import
// becomes its own chunk). Types are checked by `npm run typecheck` (tsc --noEmit), not here.
// Why a bundle: loading ~900 small module files is most of a short command's time; one parse of a
// minified chunk is not (measured: `enable --webapp` 0.37 s -> 0.17 s CPU on Node 20).
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";
import { bundleOptions } from "./bundle-options.mjs";
import { saveHelp } from "./saved-help.mjs";
import { startupPatches } from "./startup-patches.mjs";

const dist = new URL("../dist/", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// `miauth version` names the Azure SDK packages bundled in: the @azure ones package.json lists, and
// MSAL (which @azure/identity brings), at the versions installed, resolved as the bundler resolves them.
const requireFrom = (from) => createRequire(new URL(from, import.meta.url));
const sdkVersions = {};
for (const name of Object.keys(pkg.devDependencies)
  .filter((n) => n.startsWith("@azure/"))
  .sort())
  sdkVersions[name] = requireFrom("../package.json")(`${name}/package.json`).version;
sdkVersions["@azure/msal-node"] = requireFrom("../node_modules/@azure/identity/package.json")(
  "@azure/msal-node/package.json",
).version;
const patches = startupPatches();
rmSync(dist, { recursive: true, force: true });
const result = await build({
  ...bundleOptions(patches.plugin),
  entryPoints: { cli: "src/cli.ts", "emulator/index": "src/emulator/index.ts" },
  outdir: "dist",
  splitting: true,
  // Stack traces under --debug point at the TypeScript source: maps carry their sources.
  sourcemap: "linked",
  sourcesContent: true,
  chunkNames: "[name]-[hash]",
  // Everything is bundled (package.json has no runtime dependencies); --version reads no file.
  define: {
    MIAUTH_VERSION: JSON.stringify(pkg.version),
    MIAUTH_SDK_VERSIONS: JSON.stringify(JSON.stringify(sdkVersions)),
  },
  metafile: true,
});
if (process.env.MIAUTH_BUILD_META)
  writeFileSync(process.env.MIAUTH_BUILD_META, JSON.stringify(result.metafile));

patches.check();

// The maps keep our sources (stack traces and a reader under --debug) but not the bundled packages'
// (they are most of the maps' size; their lines still map to file and line, e.g. node_modules/@azure/…).
for (const file of readdirSync(dist, { recursive: true })) {
  if (!String(file).endsWith(".map")) continue;
  const url = new URL(String(file), dist);
  const map = JSON.parse(readFileSync(url, "utf8"));
  map.sourcesContent = map.sourcesContent?.map((text, i) =>
    map.sources[i].includes("node_modules/") ? null : text,
  );
  writeFileSync(url, JSON.stringify(map));
}

// Last: it runs the built CLI (with no dist/help.json yet, so commander prints every help).
await saveHelp(new URL("..", import.meta.url));
