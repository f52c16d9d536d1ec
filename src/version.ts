import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// The bundle has the version built in (scripts/build.mjs defines MIAUTH_VERSION from package.json), so
// --version reads no file; code run from src (the unit tests) reads package.json beside src/.
declare const MIAUTH_VERSION: string | undefined;
// The Azure SDK packages bundled in and their versions, read from node_modules when the bundle is built
// (package.json has no runtime dependencies, so nothing is left to read at run time), as JSON text.
declare const MIAUTH_SDK_VERSIONS: string | undefined;

export const VERSION: string =
  typeof MIAUTH_VERSION === "string"
    ? MIAUTH_VERSION
    : (createRequire(import.meta.url)("../package.json") as { version: string }).version;

/** `miauth version`: what a bug report needs. */
export interface VersionInfo {
  miauth: string;
  node: string;
  platform: string;
  azureSdk: Record<string, string>;
}

export function versionInfo(): VersionInfo {
  return {
    miauth: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    azureSdk:
      typeof MIAUTH_SDK_VERSIONS === "string"
        ? (JSON.parse(MIAUTH_SDK_VERSIONS) as Record<string, string>)
        : sdkVersionsFromSource(),
  };
}

/** Run from src: the @azure packages package.json names, at the versions installed in node_modules. */
function sdkVersionsFromSource(): Record<string, string> {
  const root = new URL("../", import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const names = Object.keys(pkg.devDependencies ?? {}).filter((n) => n.startsWith("@azure/"));
  return Object.fromEntries(
    names.map((n) => {
      const { version } = JSON.parse(
        readFileSync(new URL(`node_modules/${n}/package.json`, root), "utf8"),
      ) as { version: string };
      return [n, version];
    }),
  );
}
