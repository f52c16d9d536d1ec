// The fault kinds a bad network or proxy stands for: raw bodies, truncated replies, replies lost after
// the write, delayed replies, 429 without Retry-After. Real HTTPS against the in-process emulator.

import { describe, expect, it } from "vitest";
import { ids, useEmulator, WEB } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false, lroDelayMs: 200 });

const site = () => `${ids(emu.handle).site("msdocs-web")}?${WEB}`;
const enable = { identity: { type: "SystemAssigned" } };

async function fault(match: Record<string, string>, f: Record<string, unknown>, count?: number) {
  const r = await emu.api.control("POST", "faults", { match, fault: f, count });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

async function siteIdentityType(): Promise<string | undefined> {
  return (await emu.api.arm("GET", site())).json.identity?.type;
}

async function lastLogged(): Promise<Record<string, unknown>> {
  const log = (await emu.api.control("GET", "requests")).json.value as Record<string, unknown>[];
  return log.filter((e) => e.kind !== "identity").at(-1) ?? {};
}

describe("raw", () => {
  it("answers an HTML 200 instead of the real reply, without running the handler", async () => {
    await fault({ method: "GET", path: "msdocs-web" }, { type: "raw", body: "<html>login</html>" });
    const r = await emu.api.arm("GET", site());
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/html");
    expect(r.text).toBe("<html>login</html>");
    expect(await lastLogged()).toMatchObject({ method: "GET", status: 200, fault: "raw" });
    expect(await lastLogged()).not.toHaveProperty("handlerStatus");
  });

  it("a PATCH answered raw without apply changes nothing; with apply the change happens", async () => {
    await fault({ method: "PATCH" }, { type: "raw", body: "" });
    const r = await emu.api.arm("PATCH", site(), enable);
    expect([r.status, r.text, r.headers["content-type"]]).toEqual([200, "", undefined]);
    expect(await siteIdentityType()).toBeUndefined();

    await fault({ method: "PATCH" }, { type: "raw", status: 200, body: "<html></html>", apply: true });
    expect((await emu.api.arm("PATCH", site(), enable)).text).toBe("<html></html>");
    expect(await siteIdentityType()).toBe("SystemAssigned");
    const log = (await emu.api.control("GET", "requests")).json.value as Record<string, unknown>[];
    expect(log.find((e) => e.method === "PATCH" && e.handlerStatus === 200)).toMatchObject({
      status: 200,
      fault: "raw",
    });
  });

  it("invalid JSON with a JSON content type, and any status", async () => {
    await fault(
      { path: "msdocs-web" },
      { type: "raw", contentType: "application/json; charset=utf-8", body: '{"id":' },
    );
    const r = await emu.api.arm("GET", site());
    expect([r.status, r.headers["content-type"], r.text]).toEqual([
      200,
      "application/json; charset=utf-8",
      '{"id":',
    ]);
    await fault({ path: "msdocs-web" }, { type: "raw", status: 502, body: "<h1>Bad Gateway</h1>" });
    expect((await emu.api.arm("GET", site())).status).toBe(502);
  });
});

describe("truncate", () => {
  it("sends the real headers with the full Content-Length, half the body, then drops the connection", async () => {
    const whole = await emu.api.arm("GET", site());
    await fault({ method: "GET", path: "msdocs-web" }, { type: "truncate" });
    const r = await emu.api.partial("GET", site());
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(whole.text));
    expect(r.text).toBe(whole.text.slice(0, Math.floor(Buffer.byteLength(whole.text) / 2)));
    expect(r.ended).toBe("aborted");
    expect(() => JSON.parse(r.text)).toThrow();
    expect(await lastLogged()).toMatchObject({ status: 200, fault: "truncate", handlerStatus: 200 });
  });

  it("a truncated PATCH reply still made the change", async () => {
    await fault({ method: "PATCH" }, { type: "truncate" });
    expect((await emu.api.partial("PATCH", site(), enable)).ended).toBe("aborted");
    expect(await siteIdentityType()).toBe("SystemAssigned");
  });
});

describe("drop", () => {
  it("runs the handler, then destroys the connection with no reply: the write took effect", async () => {
    await fault({ method: "PATCH" }, { type: "drop" });
    await expect(emu.api.arm("PATCH", site(), enable)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await siteIdentityType()).toBe("SystemAssigned");
    const log = (await emu.api.control("GET", "requests")).json.value as Record<string, unknown>[];
    expect(log.find((e) => e.method === "PATCH")).toMatchObject({
      status: 0,
      fault: "drop",
      handlerStatus: 200,
    });
  });

  it("with apply:false the request never reaches the handler", async () => {
    await fault({ method: "PATCH" }, { type: "drop", apply: false });
    await expect(emu.api.arm("PATCH", site(), enable)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await siteIdentityType()).toBeUndefined();
    const log = (await emu.api.control("GET", "requests")).json.value as Record<string, unknown>[];
    expect(log.find((e) => e.method === "PATCH")).toEqual(
      expect.not.objectContaining({ handlerStatus: expect.anything() }),
    );
  });
});

describe("delay-after", () => {
  it("reads and writes at once, answers later", async () => {
    await fault({ method: "PATCH" }, { type: "delay-after", ms: 1000 });
    const t0 = Date.now();
    let answered = false;
    const patch = emu.api.arm("PATCH", site(), enable).finally(() => {
      answered = true;
    });
    // Polls the state until the write shows: it must show while the reply is still kept back.
    while ((await siteIdentityType()) !== "SystemAssigned") if (answered) break;
    expect(answered).toBe(false);
    expect(await siteIdentityType()).toBe("SystemAssigned");
    const r = await patch;
    expect(r.status).toBe(200);
    expect(r.json.identity.type).toBe("SystemAssigned");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
  });
});

describe("hold", () => {
  /** Adds a hold fault; its id for the control API. */
  async function hold(match: Record<string, string>, f: Record<string, unknown> = {}, count?: number) {
    return (await fault(match, { type: "hold", ...f }, count)).id as string;
  }

  it("runs the handler at once and keeps the reply until it is released", async () => {
    const id = await hold({ method: "PATCH" });
    let answered = false;
    const patch = emu.api.arm("PATCH", site(), enable).then((r) => {
      answered = true;
      return r;
    });
    const held = await emu.api.control("GET", `faults/${id}/held`);
    expect([held.status, held.json]).toEqual([200, { id, match: { method: "PATCH" }, held: 1, released: 0 }]);
    expect(await siteIdentityType()).toBe("SystemAssigned");
    expect((await emu.api.control("GET", "faults")).json).toEqual({
      value: [],
      holds: [{ id, match: { method: "PATCH" }, held: 1, released: 0 }],
    });
    expect(answered).toBe(false);
    const released = await emu.api.control("POST", `faults/${id}/release`);
    expect([released.status, released.json]).toMatchObject([200, { held: 0, released: 1 }]);
    const r = await patch;
    expect([r.status, r.json.identity.type]).toEqual([200, "SystemAssigned"]);
    expect(await lastLogged()).toMatchObject({
      method: "PATCH",
      status: 200,
      fault: "hold",
      handlerStatus: 200,
    });
  });

  it("waits for as many requests as asked, and releases every reply it holds at once", async () => {
    const id = await hold({ method: "GET", path: "msdocs-web" }, {}, 2);
    const both = [emu.api.arm("GET", site()), emu.api.arm("GET", site())];
    expect((await emu.api.control("GET", `faults/${id}/held?count=2`)).json).toMatchObject({ held: 2 });
    expect((await emu.api.control("POST", `faults/${id}/release`)).json).toMatchObject({
      held: 0,
      released: 2,
    });
    expect((await Promise.all(both)).map((r) => r.status)).toEqual([200, 200]);
    expect((await emu.api.control("GET", `faults/${id}/held`)).json).toMatchObject({ held: 0, released: 2 });
  });

  it("lets the reply go by itself after maxMs", async () => {
    const id = await hold({ method: "GET", path: "msdocs-web" }, { maxMs: 1 });
    expect((await emu.api.arm("GET", site())).status).toBe(200);
    expect((await emu.api.control("GET", `faults/${id}/held`)).json).toMatchObject({ held: 0, released: 1 });
  });

  it("a release with nothing held, an unknown fault, and a wait that runs out are errors", async () => {
    const id = await hold({ method: "PATCH" });
    const none = await emu.api.control("POST", `faults/${id}/release`);
    expect([none.status, none.json.error.message]).toEqual([
      409,
      `hold fault ${id} holds no reply (released so far: 0); wait for one with GET /__emulator/faults/${id}/held`,
    ]);
    const late = await emu.api.control("GET", `faults/${id}/held?timeoutMs=0`);
    expect([late.status, late.json.error.message]).toEqual([
      408,
      `hold fault ${id}: no request held within 0 ms`,
    ]);
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const path of [`faults/${unknown}/held`, `faults/${unknown}/release`]) {
      const r = await emu.api.control(path.endsWith("held") ? "GET" : "POST", path);
      expect([r.status, r.json.error.message]).toEqual([
        404,
        `No hold fault '${unknown}' (cleared by a reset, or never added).`,
      ]);
    }
    for (const q of ["count=0", "count=x", "timeoutMs=-1", "timeoutMs=1.5"]) {
      const r = await emu.api.control("GET", `faults/${id}/held?${q}`);
      expect(r.status).toBe(400);
      expect(r.json.error.message).toMatch(/^(count|timeoutMs): expected a whole number, \d+ to \d+$/);
    }
  });

  it("a reset lets held replies go, and a waiting long poll hears the fault was cleared", async () => {
    const patchHold = await hold({ method: "PATCH" });
    const waiting = await hold({ method: "DELETE" });
    const patch = emu.api.arm("PATCH", site(), enable);
    await emu.api.control("GET", `faults/${patchHold}/held`);
    const poll = emu.api.control("GET", `faults/${waiting}/held`);
    await emu.api.control("POST", "reset");
    expect((await patch).status).toBe(200);
    const r = await poll;
    expect([r.status, r.json.error.message]).toEqual([409, `hold fault ${waiting} was cleared`]);
    expect((await emu.api.control("GET", "faults")).json).toEqual({ value: [], holds: [] });
  });
});

describe("settling operations", () => {
  it("ends every running VM operation now, a failed one putting the identity back", async () => {
    const vm = `${ids(emu.handle).vm("msdocs-vm")}?api-version=2026-03-01`;
    await fault({ method: "PATCH" }, { type: "lro-failed" });
    const r = await emu.api.arm("PATCH", vm, enable);
    expect(r.json.properties.provisioningState).toBe("Updating");
    const settled = await emu.api.control("POST", "operations/settle");
    expect(settled.status).toBe(200);
    expect(settled.json.value).toEqual([
      expect.objectContaining({ status: "Failed", endTime: expect.any(String) }),
    ]);
    const after = await emu.api.arm("GET", vm);
    expect(after.json.properties.provisioningState).toBe("Failed");
    expect(after.json.identity).toBeUndefined();
    expect((await emu.api.control("POST", "operations/settle")).json).toEqual({ value: [] });
    const bad = await emu.api.control("POST", "operations/settle", { vm: "msdocs-vm" });
    expect([bad.status, bad.json.error.message]).toEqual([
      400,
      "body: expected none (every running operation ends)",
    ]);
  });
});

describe("429", () => {
  it("retryAfter:null sends no Retry-After; a number sends that; the default is 1", async () => {
    await fault({ path: "msdocs-web" }, { type: "status", status: 429, retryAfter: null });
    const none = await emu.api.arm("GET", site());
    expect(none.status).toBe(429);
    expect(none.headers["retry-after"]).toBeUndefined();
    expect(none.json.error.code).toBe("SubscriptionRequestsThrottled");
    expect(none.json.error.message).not.toMatch(/undefined/);
    await fault({ path: "msdocs-web" }, { type: "status", status: 429, retryAfter: 7 });
    expect((await emu.api.arm("GET", site())).headers["retry-after"]).toBe("7");
    await fault({ path: "msdocs-web" }, { type: "status", status: 429 });
    expect((await emu.api.arm("GET", site())).headers["retry-after"]).toBe("1");
  });
});

describe("the identity endpoint", () => {
  it("takes raw, truncate, drop and 429 without Retry-After", async () => {
    await fault({ kind: "identity" }, { type: "raw", body: "<html>proxy</html>" });
    const html = await emu.api.call(
      "GET",
      "/msi/token?api-version=2019-08-01&resource=https://management.azure.com/",
      { "X-IDENTITY-HEADER": emu.handle.operatorEnv.IDENTITY_HEADER ?? "" },
    );
    expect([html.status, html.text]).toEqual([200, "<html>proxy</html>"]);
    await fault({ kind: "identity" }, { type: "drop" });
    await expect(emu.api.token()).rejects.toThrow(/socket hang up|ECONNRESET/);
    await fault({ kind: "identity" }, { type: "truncate" });
    await expect(emu.api.token()).rejects.toThrow(/aborted|ECONNRESET/);
    await fault({ kind: "identity" }, { type: "status", status: 429, retryAfter: null });
    await expect(emu.api.token()).rejects.toThrow(/429/);
    const log = (await emu.api.control("GET", "requests")).json.value as Record<string, unknown>[];
    expect(log.map((e) => [e.kind, e.status, e.fault])).toEqual([
      ["identity", 200, "raw"],
      ["identity", 0, "drop"],
      ["identity", 200, "truncate"],
      ["identity", 429, "status"],
    ]);
    expect(typeof (await emu.api.token())).toBe("string");
  });
});

describe("validation", () => {
  it.each([
    [{ type: "raw" }, 'fault.body: expected a string ("" for an empty body)'],
    [{ type: "raw", body: "x", status: 99 }, "fault.status: expected 200-599"],
    [{ type: "raw", body: "x", apply: "yes" }, "fault.apply: expected true or false"],
    [{ type: "raw", body: "x", contentType: "a\nb" }, "fault.contentType: expected a one-line string"],
    [{ type: "truncate", apply: false }, /^fault.apply: truncate cuts the real reply/],
    [{ type: "drop", apply: 1 }, "fault.apply: expected true or false"],
    [{ type: "delay-after" }, "fault.ms: expected milliseconds, 0 to 600000"],
    [{ type: "delay-after", ms: -1 }, "fault.ms: expected milliseconds, 0 to 600000"],
    [
      { type: "status", status: 429, retryAfter: "soon" },
      "fault.retryAfter: expected whole seconds, or null for no Retry-After header",
    ],
    [{ type: "hold", maxMs: 0 }, "fault.maxMs: expected milliseconds, 1 to 600000"],
    [{ type: "hold", maxMs: 1.5 }, "fault.maxMs: expected milliseconds, 1 to 600000"],
    [{ type: "nope" }, /^fault.type: expected .*"raw", "truncate", "drop", "delay-after" or "hold"$/],
  ])("%j is refused: %s", async (f, message) => {
    const r = await emu.api.control("POST", "faults", { fault: f });
    expect(r.status).toBe(400);
    if (typeof message === "string") expect(r.json.error.message).toBe(message);
    else expect(r.json.error.message).toMatch(message);
    expect(r.json.error.message).not.toContain("\n");
  });

  it("echoes the parsed fault with its defaults", async () => {
    expect(await fault({}, { type: "raw", body: "<p>" })).toMatchObject({
      fault: { type: "raw", status: 200, contentType: "text/html", body: "<p>", apply: false },
    });
    expect(await fault({}, { type: "drop" })).toMatchObject({ fault: { type: "drop", apply: true } });
    expect(await fault({}, { type: "hold" })).toMatchObject({ fault: { type: "hold", maxMs: 60000 } });
  });
});

describe("truncate, an empty reply", () => {
  it("has nothing to cut: it goes out whole, and the connection closes after it", async () => {
    const missing = `/subscriptions/${emu.handle.subscriptionId}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-00000000dead?api-version=2022-04-01`;
    await fault({ method: "DELETE" }, { type: "truncate" });
    const r = await emu.api.partial("DELETE", missing);
    expect([r.status, r.headers["content-length"], r.headers.connection, r.text]).toEqual([
      204,
      "0",
      "close",
      "",
    ]);
    expect(await lastLogged()).toMatchObject({ status: 204, fault: "truncate", handlerStatus: 204 });
  });
});

describe("every", () => {
  it("applies to each N-th matching request only; the others go on to the next matching fault", async () => {
    const r = await emu.api.control("POST", "faults", {
      match: { method: "GET", path: "msdocs-web" },
      fault: { type: "status", status: 429, retryAfter: 1 },
      count: 2,
      every: 3,
    });
    expect(r.status, r.text).toBe(201);
    await fault({ method: "GET", path: "msdocs-web" }, { type: "latency", ms: 1 }, 100);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await emu.api.arm("GET", site())).status);
    // The 3rd and 6th are throttled; then the fault is used up (count 2).
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429, 200, 200]);
    const log = (await emu.api.control("GET", "requests")).json.value as { kind: string; fault?: string }[];
    expect(log.filter((e) => e.kind === "arm").map((e) => e.fault)).toEqual([
      "latency",
      "latency",
      "status",
      "latency",
      "latency",
      "status",
      "latency",
      "latency",
    ]);
  });

  it("is a positive whole number", async () => {
    const r = await emu.api.control("POST", "faults", { fault: { type: "reset" }, every: 0 });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe("every: expected a positive integer");
  });
});
