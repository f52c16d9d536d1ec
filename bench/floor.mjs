// The wire floor of one miauth command: replays the HTTPS requests miauth made (taken from the emulator's
// request log, in the same count and order) with node:https and nothing else, one after another.
// Usage: node bench/floor.mjs REQUESTS.json, with the same environment as the CLI run (the emulator's
// endpoints, IDENTITY_HEADER, NODE_EXTRA_CA_CERTS). Each request is {kind, method, path, apiVersion,
// query?, body?}; a token request asks for the audience of the next non-token request; a GET of the
// path just read follows that reply's nextLink; an LRO poll follows the write's Azure-AsyncOperation, after
// the Retry-After the previous reply asked for (a wait the protocol makes unavoidable for any client).
import { readFileSync } from "node:fs";
import { request } from "node:https";

const list = JSON.parse(readFileSync(process.argv[2], "utf8"));
const env = process.env;
const arm = env.MIAUTH_ARM_ENDPOINT;
const blob = env.AZURE_STORAGE_BLOB_ENDPOINT ? new URL(env.AZURE_STORAGE_BLOB_ENDPOINT).origin : undefined;

function send(url, method, headers, body) {
  return new Promise((ok, fail) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, text }));
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end(body);
  });
}

const tokens = {};
let asyncOp;
let retryAfterMs = 0;
let last;
for (let i = 0; i < list.length; i++) {
  const r = list[i];
  let reply;
  if (r.kind === "identity") {
    const next = list.slice(i + 1).find((n) => n.kind !== "identity");
    const audience = next?.kind === "blob" ? "https://storage.azure.com/" : "https://management.azure.com/";
    const url = `${env.IDENTITY_ENDPOINT}?api-version=${r.apiVersion}&resource=${encodeURIComponent(audience)}`;
    reply = await send(url, "GET", { "X-IDENTITY-HEADER": env.IDENTITY_HEADER, Metadata: "true" });
    tokens[next?.kind === "blob" ? "blob" : "arm"] = JSON.parse(reply.text).access_token;
  } else {
    let url =
      r.kind === "blob"
        ? `${blob}${r.path}${r.query ? `?${r.query}` : ""}`
        : `${arm}${r.path}?api-version=${r.apiVersion}${r.query ? `&${r.query}` : ""}`;
    if (/\/operations\/[^/]+$/i.test(r.path) && asyncOp) {
      url = asyncOp;
      if (retryAfterMs > 0) await new Promise((done) => setTimeout(done, retryAfterMs));
    } else if (last && last.path === r.path && r.method === "GET" && last.nextLink) url = last.nextLink;
    const headers = { Authorization: `Bearer ${tokens[r.kind] ?? tokens.arm}` };
    if (r.kind === "blob") headers["x-ms-version"] = r.apiVersion;
    if (r.body !== undefined) headers["Content-Type"] = "application/json";
    reply = await send(url, r.method, headers, r.body === undefined ? undefined : JSON.stringify(r.body));
    if (reply.headers["azure-asyncoperation"]) asyncOp = reply.headers["azure-asyncoperation"];
    const after = Number(reply.headers["retry-after"]);
    retryAfterMs = Number.isFinite(after) && after > 0 ? after * 1000 : 0;
  }
  let nextLink;
  if (reply.text.startsWith("{")) nextLink = JSON.parse(reply.text).nextLink;
  last = { path: r.path, nextLink };
  if (reply.status >= 400 && r.status < 400) {
    process.stderr.write(`floor: ${r.method} ${r.path}: ${reply.status} (miauth got ${r.status})\n`);
    process.exitCode = 1;
  }
}
