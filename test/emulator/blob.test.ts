// The blob data plane: the real @azure/storage-blob client against the RBAC gate in front of Azurite.

import { readFileSync } from "node:fs";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { ManagedIdentityCredential } from "@azure/identity";
import { BlobServiceClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { beforeAll, describe, expect, it } from "vitest";
import { blobTarget, requiredPermissions } from "../../src/emulator/blob/permissions.js";
import { DEFAULT_WORLD, type World } from "../../src/emulator/index.js";
import { ids, RG, send, sendPartial, useEmulator } from "../helpers/emulator.js";

// Longer than the test takes: only clock/advance brings the assignment in.
const DELAY_MS = 60_000;
const ACCOUNT = "msdocsstorage";
const CONTAINER = "msdocs-container";
const P = {
  none: "0a000000-0000-4000-8000-000000000001",
  reader: "0a000000-0000-4000-8000-000000000002",
  writer: "0a000000-0000-4000-8000-000000000003",
  contributor: "0a000000-0000-4000-8000-000000000004",
  containerReader: "0a000000-0000-4000-8000-000000000005",
  late: "0a000000-0000-4000-8000-000000000006",
  adder: "0a000000-0000-4000-8000-000000000007",
};
type Who = keyof typeof P;

function world(): World {
  const w = structuredClone(DEFAULT_WORLD);
  const account = `/subscriptions/{subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;
  w.sites = Object.entries(P).map(([name, principalId]) => ({
    resourceGroup: RG,
    name: `app-${name}`,
    identity: { type: "SystemAssigned", principalId },
  }));
  w.roleDefinitions = [
    {
      roleName: "Blob Adder",
      actions: [],
      dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action"],
      assignableScopes: ["/subscriptions/{subscriptionId}"],
    },
  ];
  w.roleAssignments.push(
    { principalId: P.reader, roleDefinitionName: "Storage Blob Data Reader", scope: account },
    {
      principalId: P.writer,
      roleDefinitionName: "Storage Blob Data Contributor",
      scope: `/subscriptions/{subscriptionId}/resourceGroups/${RG}`,
    },
    {
      principalId: P.contributor,
      roleDefinitionName: "Contributor",
      scope: `/subscriptions/{subscriptionId}`,
    },
    {
      principalId: P.containerReader,
      roleDefinitionName: "Storage Blob Data Reader",
      scope: `${account}/blobServices/default/containers/${CONTAINER}`,
    },
    { principalId: P.adder, roleDefinitionName: "Blob Adder", scope: account },
  );
  return w;
}

const emu = useEmulator({ seed: world(), dataPlaneDelayMs: DELAY_MS, replicationDelayMs: 0 });
let ca: string;
let gate: string;

beforeAll(() => {
  ca = readFileSync(emu.handle.caPath, "utf8");
  gate = emu.handle.blob?.gateUrl ?? "";
});

async function storageToken(who: Who, lifetimeSeconds?: number): Promise<AccessToken> {
  const r = await emu.api.control("POST", "token", {
    resourceId: ids(emu.handle).site(`app-${who}`),
    resource: "https://storage.azure.com",
    lifetimeSeconds,
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
  return { token: r.json.access_token, expiresOnTimestamp: Number(r.json.expires_on) * 1000 };
}

function blobs(who: Who): BlobServiceClient {
  const credential: TokenCredential = { getToken: () => storageToken(who) };
  // StoragePipelineOptions does not declare tlsOptions, but the core pipeline underneath honours it.
  const options = { tlsOptions: { ca }, retryOptions: { maxTries: 1 } } as StoragePipelineOptions;
  return new BlobServiceClient(`${gate}/${ACCOUNT}`, credential, options);
}

async function names(service: BlobServiceClient): Promise<string[]> {
  const out: string[] = [];
  for await (const c of service.listContainers()) out.push(c.name);
  return out;
}

async function blobNames(service: BlobServiceClient, container = CONTAINER): Promise<string[]> {
  const out: string[] = [];
  for await (const b of service.getContainerClient(container).listBlobsFlat()) out.push(b.name);
  return out;
}

/** A plain GET (downloadToBuffer starts with a HEAD, whose errors carry no body, hence no RestError.code). */
async function text(service: BlobServiceClient, blob = "hello.txt", container = CONTAINER): Promise<string> {
  const res = await service.getContainerClient(container).getBlobClient(blob).download();
  const chunks: Buffer[] = [];
  for await (const c of res.readableStreamBody ?? []) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

async function raw(method: string, url: string, headers: Record<string, string> = {}) {
  const r = await send(url, ca, method, headers);
  return { status: r.status, headers: r.headers, body: r.text };
}

const denied = { statusCode: 403, code: "AuthorizationPermissionMismatch" };

describe("permission map", () => {
  const S = "Microsoft.Storage/storageAccounts/blobServices";
  it.each([
    ["GET", "/a", "comp=list", undefined, [{ action: `${S}/containers/read` }]],
    ["PUT", "/a/c", "restype=container", undefined, [{ action: `${S}/containers/write` }]],
    ["DELETE", "/a/c", "restype=container", undefined, [{ action: `${S}/containers/delete` }]],
    ["HEAD", "/a/c", "restype=container", undefined, [{ action: `${S}/containers/read` }]],
    ["GET", "/a/c", "restype=container&comp=list", undefined, [{ dataAction: `${S}/containers/blobs/read` }]],
    ["HEAD", "/a/c/d/b.txt", "", undefined, [{ dataAction: `${S}/containers/blobs/read` }]],
    ["PUT", "/a/c/b", "", undefined, [{ dataAction: `${S}/containers/blobs/write` }]],
    [
      "PUT",
      "/a/c/b",
      "",
      "*",
      [{ dataAction: `${S}/containers/blobs/write` }, { dataAction: `${S}/containers/blobs/add/action` }],
    ],
    ["PUT", "/a/c/b", "comp=block&blockid=x", "*", [{ dataAction: `${S}/containers/blobs/write` }]],
    ["DELETE", "/a/c/b", "", undefined, [{ dataAction: `${S}/containers/blobs/delete` }]],
    ["PUT", "/a/c/b", "comp=tags", undefined, [{ dataAction: `${S}/containers/blobs/tags/write` }]],
    [
      "POST",
      "/a",
      "restype=service&comp=userdelegationkey",
      undefined,
      [{ action: `${S}/generateUserDelegationKey/action` }],
    ],
    ["GET", "/a/b", "", undefined, [{ dataAction: `${S}/containers/blobs/read` }]],
  ])("%s %s?%s (If-None-Match %s)", (method, path, q, inm, want) => {
    const query = new URLSearchParams(q);
    const target = blobTarget(path, query);
    expect(target).toBeDefined();
    if (target) expect(requiredPermissions(method, target, query, inm)).toEqual(want);
  });
  it("splits path-style URLs; one segment without restype=container is a blob in $root", () => {
    const q = new URLSearchParams();
    expect(blobTarget("/a/c/d%20e/f", q)).toEqual({ account: "a", container: "c", blob: "d e/f" });
    expect(blobTarget("/a/b", q)).toEqual({ account: "a", container: "$root", blob: "b" });
    expect(blobTarget("/", q)).toBeUndefined();
  });
});

describe("blob gate: authentication and errors", () => {
  it("answers a caller without a data role 403 AuthorizationPermissionMismatch, as Storage words it", async () => {
    await expect(names(blobs("none"))).rejects.toMatchObject(denied);
    const token = (await storageToken("none")).token;
    const r = await raw("GET", `${gate}/${ACCOUNT}?comp=list`, {
      Authorization: `Bearer ${token}`,
      "x-ms-version": "2025-11-05",
      "x-ms-client-request-id": "c-1",
    });
    expect(r.status).toBe(403);
    expect(r.headers).toMatchObject({
      "x-ms-error-code": "AuthorizationPermissionMismatch",
      "x-ms-version": "2025-11-05",
      "x-ms-client-request-id": "c-1",
      "content-type": "application/xml",
      "x-ms-request-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(r.body).toMatch(
      /^<\?xml version="1\.0" encoding="utf-8"\?><Error><Code>AuthorizationPermissionMismatch<\/Code><Message>This request is not authorized to perform this operation using this permission\.\nRequestId:[0-9a-f-]{36}\nTime:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z<\/Message><\/Error>$/,
    );
  });

  it("answers 401 with Storage's bearer challenge for no token, an expired one or the wrong audience; 404 for an unknown account", async () => {
    const none = await raw("GET", `${gate}/${ACCOUNT}?comp=list`);
    expect(none.status).toBe(401);
    expect(none.headers["x-ms-error-code"]).toBe("NoAuthenticationInformation");
    expect(none.headers["www-authenticate"]).toBe(
      `Bearer authorization_uri=https://login.microsoftonline.com/${emu.handle.tenantId}/oauth2/authorize resource_id=https://storage.azure.com`,
    );
    const expired = (await storageToken("writer", -60)).token;
    const arm = await emu.api.token();
    for (const [token, detail] of [
      [expired, "Lifetime validation failed"],
      [arm, "Audience validation failed"],
      ["not-a-jwt", "Signature validation failed"],
    ] as const) {
      const r = await raw("GET", `${gate}/${ACCOUNT}?comp=list`, { Authorization: `Bearer ${token}` });
      expect(r.status).toBe(401);
      expect(r.headers["x-ms-error-code"]).toBe("InvalidAuthenticationInfo");
      expect(r.body).toContain(detail);
    }
    const good = (await storageToken("writer")).token;
    const unknown = await raw("GET", `${gate}/nosuchaccount?comp=list`, { Authorization: `Bearer ${good}` });
    expect([unknown.status, unknown.headers["x-ms-error-code"]]).toEqual([404, "ResourceNotFound"]);
  });

  it("firewalled account: 403 AuthorizationFailure for everyone, switched at run time", async () => {
    const on = await emu.api.control("POST", `storage/${ACCOUNT}/firewall`, { enabled: true });
    expect(on.json).toEqual({ name: ACCOUNT, publicNetworkAccess: "Disabled" });
    const state = await emu.api.control("GET", "state");
    expect(state.json.storageAccounts[0]).toMatchObject({ name: ACCOUNT, publicNetworkAccess: "Disabled" });
    const sa = await emu.api.arm("GET", `${ids(emu.handle).storage(ACCOUNT)}?api-version=2023-01-01`);
    expect(sa.json.properties.publicNetworkAccess).toBe("Disabled");
    await expect(text(blobs("writer"))).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailure",
    });
    const r = await raw("GET", `${gate}/${ACCOUNT}?comp=list`, {
      Authorization: `Bearer ${(await storageToken("writer")).token}`,
    });
    expect(r.body).toMatch(
      /^<\?xml version="1\.0" encoding="utf-8"\?><Error><Code>AuthorizationFailure<\/Code><Message>This request is not authorized to perform this operation\.\nRequestId:/,
    );
    await emu.api.control("POST", `storage/${ACCOUNT}/firewall`, { enabled: false });
    expect(await text(blobs("writer"))).toBe("Hello from msdocs");
  });
});

describe("blob gate: RBAC", () => {
  it("Storage Blob Data Reader reads but cannot write", async () => {
    const service = blobs("reader");
    expect(await names(service)).toEqual([CONTAINER]);
    expect(await blobNames(service)).toEqual(["hello.txt"]);
    expect(await text(service)).toBe("Hello from msdocs");
    const blob = service.getContainerClient(CONTAINER).getBlockBlobClient("new.txt");
    await expect(blob.upload("x", 1)).rejects.toMatchObject(denied);
    await expect(
      service.getContainerClient(CONTAINER).getBlobClient("hello.txt").delete(),
    ).rejects.toMatchObject(denied);
  });

  it("Contributor (control plane) lists containers, an action, but reads no blob data", async () => {
    const service = blobs("contributor");
    expect(await names(service)).toEqual([CONTAINER]);
    await expect(blobNames(service)).rejects.toMatchObject(denied);
    await expect(text(service)).rejects.toMatchObject(denied);
    const head = service.getContainerClient(CONTAINER).getBlobClient("hello.txt").getProperties();
    await expect(head).rejects.toMatchObject({ statusCode: 403, details: { errorCode: denied.code } });
  });

  it("an assignment at container scope covers that container only", async () => {
    const service = blobs("containerReader");
    expect(await text(service)).toBe("Hello from msdocs");
    await expect(names(service)).rejects.toMatchObject(denied);
  });

  it("add/action alone creates a new blob only with If-None-Match: *", async () => {
    const container = blobs("adder").getContainerClient(CONTAINER);
    await expect(container.getBlockBlobClient("plain.txt").upload("x", 1)).rejects.toMatchObject(denied);
    await container.getBlockBlobClient("new.txt").upload("x", 1, { conditions: { ifNoneMatch: "*" } });
    expect(await text(blobs("reader"), "new.txt")).toBe("x");
  });

  it(`a new assignment reaches the data plane after dataPlaneDelayMs (${DELAY_MS} ms); a deletion at once`, async () => {
    const scope = ids(emu.handle).rg;
    const name = "5d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a";
    const path = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`;
    const put = await emu.api.arm("PUT", path, {
      properties: {
        roleDefinitionId: `/subscriptions/${emu.handle.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
        principalId: P.late,
        principalType: "ServicePrincipal",
      },
    });
    expect(put.status).toBe(201);
    const service = blobs("late");
    await expect(text(service)).rejects.toMatchObject(denied);
    await emu.api.control("POST", "clock/advance", { ms: DELAY_MS / 2 });
    await expect(text(service)).rejects.toMatchObject(denied);
    await emu.api.control("POST", "clock/advance", { ms: DELAY_MS / 2 });
    expect(await text(service)).toBe("Hello from msdocs");
    expect((await emu.api.arm("DELETE", path)).status).toBe(200);
    await expect(text(service)).rejects.toMatchObject(denied);
  });
});

describe("blob gate: forwarding to Azurite", () => {
  it("Storage Blob Data Contributor round-trips through Azurite; If-None-Match: * on an existing blob is Azurite's 409", async () => {
    const service = blobs("writer");
    const scratch = service.getContainerClient("scratch");
    await scratch.create();
    const blob = scratch.getBlockBlobClient("dir/data é.bin");
    const payload = Buffer.from("a\u00e9\u0000b".repeat(5000));
    await blob.upload(payload, payload.length, { conditions: { ifNoneMatch: "*" } });
    expect((await blob.downloadToBuffer()).equals(payload)).toBe(true);
    expect((await blob.getProperties()).contentLength).toBe(payload.length);
    expect(await blobNames(service, "scratch")).toEqual(["dir/data é.bin"]);
    const hello = service.getContainerClient(CONTAINER).getBlockBlobClient("hello.txt");
    await expect(hello.upload("overwrite", 9, { conditions: { ifNoneMatch: "*" } })).rejects.toMatchObject({
      statusCode: 409,
      code: "BlobAlreadyExists",
    });
    expect(await text(service)).toBe("Hello from msdocs");
    await blob.delete();
    await scratch.delete();
    expect(await names(service)).toEqual([CONTAINER]);
  });

  it("reset empties Azurite back to the seed's containers and blobs; the log counts blob requests", async () => {
    const service = blobs("writer");
    const extra = service.getContainerClient(CONTAINER).getBlockBlobClient("extra.txt");
    await extra.upload("extra", 5);
    await service.getContainerClient(CONTAINER).getBlockBlobClient("hello.txt").upload("changed", 7);
    await expect(names(blobs("contributor"))).resolves.toEqual([CONTAINER]);

    const log = (await emu.api.control("GET", "requests")).json.value;
    const blob = log.filter((e: { kind: string }) => e.kind === "blob");
    expect(blob.length).toBe(3);
    expect(blob[0]).toMatchObject({
      method: "PUT",
      path: `/${ACCOUNT}/${CONTAINER}/extra.txt`,
      status: 201,
      principalId: P.writer,
    });
    expect(JSON.stringify(log)).not.toContain("Bearer");

    await emu.api.control("POST", "reset");
    expect(await blobNames(blobs("reader"))).toEqual(["hello.txt"]);
    expect(await text(blobs("reader"))).toBe("Hello from msdocs");
  });

  it("reset deletes containers the seed does not name", async () => {
    const r = await raw("PUT", `${emu.handle.blob?.azuriteUrl}/${ACCOUNT}/made-behind?restype=container`, {
      Authorization: `Bearer ${(await storageToken("none")).token}`,
      "x-ms-version": "2025-11-05",
    });
    expect(r.status).toBe(201); // Azurite alone grants any well-formed token: hence the gate
    expect(await names(blobs("reader"))).toEqual(["made-behind", CONTAINER]);
    await emu.api.control("POST", "reset");
    expect(await names(blobs("reader"))).toEqual([CONTAINER]);
  });

  it("applies blob faults (status, latency) and exports the blob endpoint to an identity's environment", async () => {
    await emu.api.control("POST", "faults", {
      match: { kind: "blob" },
      fault: { type: "status", status: 503 },
    });
    await expect(text(blobs("reader"))).rejects.toMatchObject({ statusCode: 503, code: "ServerBusy" });
    await emu.api.control("POST", "faults", { match: { kind: "blob" }, fault: { type: "latency", ms: 300 } });
    const t0 = Date.now();
    expect(await text(blobs("reader"))).toBe("Hello from msdocs");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);

    const env = emu.handle.envFor(ids(emu.handle).site("app-reader"));
    expect(env).toMatchObject({
      AZURE_STORAGE_ACCOUNT_NAME: ACCOUNT,
      AZURE_STORAGE_BLOB_ENDPOINT: `${gate}/${ACCOUNT}`,
    });
    expect(emu.handle.blob?.endpoint(ACCOUNT)).toBe(`${gate}/${ACCOUNT}`);

    // The app's own view: ManagedIdentityCredential on its identity endpoint, BlobServiceClient on the endpoint.
    const saved = { ...process.env };
    try {
      process.env.IDENTITY_ENDPOINT = env.IDENTITY_ENDPOINT;
      process.env.IDENTITY_HEADER = env.IDENTITY_HEADER;
      const credential = new ManagedIdentityCredential({ tlsOptions: { ca } });
      const options = { tlsOptions: { ca }, retryOptions: { maxTries: 1 } } as StoragePipelineOptions;
      const service = new BlobServiceClient(env.AZURE_STORAGE_BLOB_ENDPOINT ?? "", credential, options);
      expect(await text(service)).toBe("Hello from msdocs");
    } finally {
      process.env = saved;
    }
    // The operator's env.sh too: verify --account from there reaches the gate, not Azure.
    expect(emu.handle.operatorEnv.AZURE_STORAGE_BLOB_ENDPOINT).toBe(`${gate}/${ACCOUNT}`);
    expect(JSON.parse(readFileSync(emu.handle.infoFile, "utf8"))).toMatchObject({
      blobGateUrl: gate,
      storageAccount: ACCOUNT,
    });
  });
});

describe("the storage account resource", () => {
  it("names the blob gate in primaryEndpoints.blob, as Azure names the account's own blob host", async () => {
    const path = `/subscriptions/${emu.handle.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}?api-version=2025-06-01`;
    const r = await emu.api.arm("GET", path);
    expect(r.status).toBe(200);
    expect(r.json.properties.primaryEndpoints).toMatchObject({
      blob: `${emu.handle.blob?.gateUrl}/${ACCOUNT}/`,
      queue: `https://${ACCOUNT}.queue.core.windows.net/`,
    });
  });
});

describe("blob faults around the gate", () => {
  const blobUrl = (name: string) => `${gate}/${ACCOUNT}/${CONTAINER}/${name}`;

  /** A blob request as an identity; a reply cut short resolves with what arrived. */
  async function call(who: Who, method: string, url: string, body?: string) {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${(await storageToken(who)).token}`,
      "x-ms-version": "2025-11-05",
    };
    if (body !== undefined) headers["x-ms-blob-type"] = "BlockBlob";
    const r = await sendPartial(url, ca, method, headers, body);
    return { status: r.status, headers: r.headers, body: r.text, ended: r.ended };
  }
  const fault = (f: Record<string, unknown>) =>
    emu.api.control("POST", "faults", { match: { kind: "blob" }, fault: f });
  const log = async () =>
    ((await emu.api.control("GET", "requests")).json.value as Record<string, unknown>[]).filter(
      (e) => e.kind === "blob",
    );

  it("raw: an HTML 200 instead of the blob, with or without the write taking effect", async () => {
    await fault({ type: "raw", body: "<html>captive portal</html>" });
    const r = await call("reader", "GET", blobUrl("hello.txt"));
    expect([r.status, r.headers["content-type"], r.body]).toEqual([
      200,
      "text/html",
      "<html>captive portal</html>",
    ]);
    await fault({ type: "raw", status: 201, body: "", apply: false });
    expect((await call("writer", "PUT", blobUrl("never.txt"), "x")).status).toBe(201);
    await fault({ type: "raw", status: 201, body: "", apply: true });
    expect((await call("writer", "PUT", blobUrl("made.txt"), "x")).status).toBe(201);
    expect(await blobNames(blobs("reader"))).toEqual(["hello.txt", "made.txt"]);
    expect((await log()).map((e) => [e.method, e.status, e.fault, e.handlerStatus])).toEqual([
      ["GET", 200, "raw", undefined],
      ["PUT", 201, "raw", undefined],
      ["PUT", 201, "raw", 201],
      ["GET", 200, undefined, undefined],
    ]);
  });

  it("truncate: Azurite's headers and full Content-Length, half the body, then the connection drops", async () => {
    await fault({ type: "truncate" });
    const r = await call("reader", "GET", blobUrl("hello.txt"));
    expect(r.status).toBe(200);
    expect(r.headers["content-length"]).toBe(String("Hello from msdocs".length));
    expect(r.headers.etag).toBeDefined();
    expect([r.body, r.ended]).toEqual(["Hello fr", "aborted"]);
    expect(await log()).toMatchObject([{ status: 200, fault: "truncate", handlerStatus: 200 }]);
  });

  it("truncate and delay-after carry the gate's own refusals too", async () => {
    await fault({ type: "delay-after", ms: 300 });
    const t0 = Date.now();
    const r = await call("none", "GET", blobUrl("hello.txt"));
    expect([r.status, r.headers["x-ms-error-code"], r.ended]).toEqual([
      403,
      "AuthorizationPermissionMismatch",
      "end",
    ]);
    expect(r.body).toContain("<Code>AuthorizationPermissionMismatch</Code>");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await fault({ type: "truncate" });
    const cut = await call("none", "GET", blobUrl("hello.txt"));
    expect([cut.status, cut.ended]).toEqual([403, "aborted"]);
  });

  it("drop: the blob is written, the reply is lost; apply:false writes nothing", async () => {
    await fault({ type: "drop" });
    expect((await call("writer", "PUT", blobUrl("lost-reply.txt"), "x")).ended).toMatch(
      /socket hang up|ECONNRESET/,
    );
    await fault({ type: "drop", apply: false });
    expect((await call("writer", "PUT", blobUrl("never.txt"), "x")).ended).toMatch(
      /socket hang up|ECONNRESET/,
    );
    expect(await blobNames(blobs("reader"))).toEqual(["hello.txt", "lost-reply.txt"]);
    expect((await log()).slice(0, 2)).toMatchObject([
      { method: "PUT", status: 0, fault: "drop", handlerStatus: 201 },
      { method: "PUT", status: 0, fault: "drop" },
    ]);
    expect((await log())[1]).not.toHaveProperty("handlerStatus");
  });

  it("hold: the blob is written at once, the reply waits for the release", async () => {
    const id = (await fault({ type: "hold" })).json.id as string;
    const put = call("writer", "PUT", blobUrl("held.txt"), "x");
    expect((await emu.api.control("GET", `faults/${id}/held`)).json).toMatchObject({ held: 1 });
    expect(await blobNames(blobs("reader"))).toEqual(["held.txt", "hello.txt"]);
    expect((await emu.api.control("POST", `faults/${id}/release`)).status).toBe(200);
    expect([(await put).status, (await put).ended]).toEqual([201, "end"]);
    expect((await log()).at(-1)).toMatchObject({
      method: "PUT",
      status: 201,
      fault: "hold",
      handlerStatus: 201,
    });
  });

  it("delay-after: the read happens at once, the reply later; 429 with and without Retry-After", async () => {
    await fault({ type: "delay-after", ms: 400 });
    const t0 = Date.now();
    const r = await call("reader", "GET", blobUrl("hello.txt"));
    expect([r.status, r.body]).toEqual([200, "Hello from msdocs"]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    await fault({ type: "status", status: 429, retryAfter: null });
    const none = await call("reader", "GET", blobUrl("hello.txt"));
    expect(none.status).toBe(429);
    expect(none.headers["retry-after"]).toBeUndefined();
    await fault({ type: "status", status: 429, retryAfter: 3 });
    expect((await call("reader", "GET", blobUrl("hello.txt"))).headers["retry-after"]).toBe("3");
  });
});
