// ETags and If-Match over the wire: VMs carry a body etag that changes on every write and honour
// If-Match with ARM's 412; sites carry none (Microsoft.Web declares neither) and ignore If-Match.

import { describe, expect, it } from "vitest";
import { COMPUTE, ids, useEmulator, WEB } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false, lroDelayMs: 100 });

const vm = (version = COMPUTE) => `${ids(emu.handle).vm("msdocs-vm")}?${version}`;
const enable = { identity: { type: "SystemAssigned" } };
const disable = { identity: { type: "None" } };

async function patch(url: string, body: unknown, ifMatch?: string) {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${await emu.api.token()}`,
    "content-type": "application/json",
  };
  if (ifMatch !== undefined) headers["If-Match"] = ifMatch;
  return emu.api.call("PATCH", url, headers, JSON.stringify(body));
}

describe("virtual machines", () => {
  it('carry etag "1" until written; every accepted PATCH moves it on, in the reply and the next GET', async () => {
    const first = await emu.api.arm("GET", vm());
    expect(first.json.etag).toBe('"1"');
    expect(first.headers.etag).toBeUndefined();
    const r = await patch(vm(), enable);
    expect([r.status, r.json.etag]).toEqual([200, '"2"']);
    expect((await emu.api.arm("GET", vm())).json.etag).toBe('"2"');
    expect((await patch(vm(), enable)).json.etag).toBe('"3"');
  });

  it("a stale If-Match is 412 PreconditionFailed and changes nothing", async () => {
    const stale = (await emu.api.arm("GET", vm())).json.etag;
    await patch(vm(), enable);
    const r = await patch(vm(), disable, stale);
    expect(r.status).toBe(412);
    expect(r.json).toEqual({
      error: {
        code: "PreconditionFailed",
        message: 'Etag provided in if-match header "1" does not match etag "2" of resource.',
      },
    });
    const now = (await emu.api.arm("GET", vm())).json;
    expect([now.etag, now.identity?.type]).toEqual(['"2"', "SystemAssigned"]);
    const log = (await emu.api.control("GET", "requests")).json.value as { method: string; status: number }[];
    expect(log.filter((e) => e.method === "PATCH").map((e) => e.status)).toEqual([200, 412]);
  });

  it("the current etag, *, or a list holding the current one is accepted", async () => {
    const r = await patch(vm(), enable, '"1"');
    expect([r.status, r.json.etag]).toEqual([200, '"2"']);
    expect((await patch(vm(), disable, "*")).json.etag).toBe('"3"');
    expect((await patch(vm(), enable, '"9", "3"')).json.etag).toBe('"4"');
    expect((await patch(vm(), enable, "3")).status).toBe(412); // unquoted is another etag
  });

  it("the 412 comes after existence and RBAC checks, before the body is read", async () => {
    const missing = await patch(`${ids(emu.handle).vm("nope")}?${COMPUTE}`, enable, '"1"');
    expect(missing.json.error.code).toBe("PatchResourceNotFound");
    const badBody = await emu.api.call(
      "PATCH",
      vm(),
      { Authorization: `Bearer ${await emu.api.token()}`, "If-Match": '"7"' },
      "{",
    );
    expect(badBody.status).toBe(412);
  });

  it("an invalid identity does not move the etag; a failed LRO putting the identity back does", async () => {
    const bad = await patch(vm(), { identity: { type: "Sometimes" } });
    expect(bad.status).toBe(400);
    expect((await emu.api.arm("GET", vm())).json.etag).toBe('"1"');
    await emu.api.control("POST", "faults", { match: { method: "PATCH" }, fault: { type: "lro-failed" } });
    expect((await patch(vm(), enable)).json.etag).toBe('"2"');
    await emu.api.control("POST", "clock/advance", { ms: 100 });
    const after = (await emu.api.arm("GET", vm())).json;
    expect([after.etag, after.identity]).toEqual(['"3"', undefined]);
  });

  it("before api-version 2023-09-01 there is no etag and If-Match is ignored", async () => {
    const old = vm("api-version=2023-07-01");
    expect((await emu.api.arm("GET", old)).json).not.toHaveProperty("etag");
    const r = await patch(old, enable, '"42"');
    expect(r.status).toBe(200);
    expect(r.json).not.toHaveProperty("etag");
  });
});

describe("sites", () => {
  it("carry no etag and ignore If-Match (Microsoft.Web declares neither)", async () => {
    const site = `${ids(emu.handle).site("msdocs-web")}?${WEB}`;
    const got = await emu.api.arm("GET", site);
    expect(got.json).not.toHaveProperty("etag");
    expect(got.headers.etag).toBeUndefined();
    const r = await patch(site, enable, '"stale"');
    expect(r.status).toBe(200);
    expect(r.json.identity.type).toBe("SystemAssigned");
  });
});
