// Start-up patches: code in bundled packages that costs every command time at start for a feature no
// command uses, rewritten at bundle time so the cost is paid only by a run that uses the feature. Each
// patch names the exact text it replaces; the build fails if that text is not there (a new version of
// the package must be looked at again), and if a patch matched no file. Behaviour is unchanged: the
// same code runs, later or behind a cheaper test. test/e2e/startup.test.ts checks the effect.
import { readFileSync } from "node:fs";

const FORM_DATA_TEST = 'typeof FormData !== "undefined" && body instanceof FormData';

export const PATCHES = [
  {
    // Node loads its fetch implementation (undici: ~20 ms of a ~200 ms command on Node 20) the first
    // time anything reads one of its globals, even `typeof FormData`. The HTTP pipeline's form-data
    // policy does that for every request, though no request here has a FormData body: ask the body
    // first (a FormData says so in its Symbol.toStringTag), read the global only for one that claims to be.
    name: "FormData read only for a FormData body",
    file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/](formData|client[\\/]sendRequest)\.js$/,
    from: FORM_DATA_TEST,
    to: `body !== null && typeof body === "object" && body[Symbol.toStringTag] === "FormData" && ${FORM_DATA_TEST}`,
  },
  {
    // MSAL signs a client assertion (certificate credentials) with jsonwebtoken, which with semver, jws
    // and lodash's pieces is evaluated at start by every command (~5-8 ms), though only a certificate
    // credential signs anything. Load it when a token is signed.
    name: "jsonwebtoken loaded when an assertion is signed",
    file: /[\\/]@azure[\\/]msal-node[\\/]dist[\\/]client[\\/]ClientAssertion\.mjs$/,
    from: "import jwt from 'jsonwebtoken';",
    to: 'const jwt = { sign: (...args) => require("jsonwebtoken").sign(...args) };',
  },
  {
    // The HTTP pipeline's proxy policy imports both proxy agents, which load debug (it reads the
    // environment and the terminal's colours at load) and agent-base: ~2-3 ms of every command, though
    // they are used only through a proxy (HTTPS_PROXY, HTTP_PROXY). Load each when a proxied request
    // first needs it (`new F(url)` with F returning the agent is the same agent).
    name: "proxy agents loaded when a proxy is used",
    file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]policies[\\/]proxyPolicy\.js$/,
    from: 'import { HttpsProxyAgent } from "https-proxy-agent";\nimport { HttpProxyAgent } from "http-proxy-agent";',
    to:
      'const HttpsProxyAgent = function (url) { return new (require("https-proxy-agent").HttpsProxyAgent)(url); };\n' +
      'const HttpProxyAgent = function (url) { return new (require("http-proxy-agent").HttpProxyAgent)(url); };',
  },
];

/**
 * On Node >= 22, importing node:http as an ES module loads undici (~18 ms): the module's ES facade
 * reads every export, and node:http's WebSocket, CloseEvent and MessageEvent are getters that load it.
 * Bundled packages import node:http (the HTTP client, the proxy agents): in the bundle they get it
 * through require(), whose exports object is the same one, its getters read only if used.
 */
export const requireHttp = {
  name: "require-node-http",
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.namespace === "require-node-http"
        ? undefined
        : { path: "node:http", namespace: "require-node-http" },
    );
    build.onLoad({ filter: /.*/, namespace: "require-node-http" }, () => ({
      contents: 'module.exports = require("node:http");',
      loader: "js",
    }));
  },
};

/** The esbuild plugin that applies PATCHES; `check()` after the build fails if one matched no file. */
export function startupPatches() {
  const applied = new Set();
  return {
    plugin: {
      name: "startup-patches",
      setup(build) {
        for (const patch of PATCHES) {
          build.onLoad({ filter: patch.file }, (args) => {
            const text = readFileSync(args.path, "utf8");
            if (!text.includes(patch.from))
              throw new Error(
                `${args.path}: "${patch.name}" no longer matches; review scripts/startup-patches.mjs`,
              );
            applied.add(patch.name);
            return { contents: text.replaceAll(patch.from, patch.to), loader: "js" };
          });
        }
      },
    },
    check() {
      const missed = PATCHES.filter((p) => !applied.has(p.name)).map((p) => p.name);
      if (missed.length) throw new Error(`start-up patches matched no file: ${missed.join("; ")}`);
    },
  };
}
