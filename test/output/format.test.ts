import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadFormat, OUTPUT_FORMATS, parseOutputFormat, render } from "../../src/output/format.js";
import { stripAnsi } from "./fakes.js";

const identity = {
  id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app",
  principalId: "11111111-1111-1111-1111-111111111111",
  tenantId: "22222222-2222-2222-2222-222222222222",
  type: "SystemAssigned",
  enabled: true,
  count: 3,
  userAssignedIdentities: { "/subscriptions/s/x": { clientId: "c" } },
  roles: ["Reader", "Contributor"],
  note: null,
};
const plain = { color: false };

describe("parseOutputFormat", () => {
  it("accepts every format, case-insensitively", () => {
    for (const f of OUTPUT_FORMATS) expect(parseOutputFormat(f.toUpperCase())).toBe(f);
  });
  it("rejects others with one line naming the allowed values", () => {
    expect(() => parseOutputFormat("xml")).toThrowError(
      'invalid output format "xml" (allowed: json, jsonc, yaml, table, tsv, none)',
    );
  });
});

describe("render json / jsonc / yaml / none", () => {
  beforeAll(() => loadFormat("yaml"));

  it("json is JSON.stringify with 2 spaces and a newline", () => {
    expect(render(identity, "json", plain)).toBe(`${JSON.stringify(identity, null, 2)}\n`);
    expect(render([], "json", plain)).toBe("[]\n");
  });
  it("jsonc without colour is identical to json", () => {
    expect(render(identity, "jsonc", plain)).toBe(render(identity, "json", plain));
  });
  it("jsonc with colour paints keys, strings and literals, and only adds escapes", () => {
    const out = render(identity, "jsonc", { color: true });
    expect(out).not.toBe(render(identity, "json", plain));
    expect(stripAnsi(out)).toBe(render(identity, "json", plain));
    expect(out).toContain('\x1b[94m"principalId"\x1b[39m: \x1b[33m"1111');
    expect(out).toContain("\x1b[34mtrue\x1b[39m");
    expect(out).toContain("\x1b[34m3\x1b[39m");
    expect(out).toContain("\x1b[34mnull\x1b[39m");
  });
  it("jsonc with colour matches JSON.stringify for toJSON, undefined and empty containers", () => {
    const odd = { when: new Date(0), gone: undefined, list: [undefined, {}, []], n: Number.NaN };
    expect(stripAnsi(render(odd, "jsonc", { color: true }))).toBe(render(odd, "json", plain));
  });
  it("yaml round-trips nested values, with lists under their key as az prints them", () => {
    const out = render(identity, "yaml", plain);
    expect(parseYaml(out)).toEqual(identity);
    expect(out).toContain("roles:\n- Reader\n- Contributor\n");
  });
  it("none and a null result print nothing", () => {
    expect(render(identity, "none", plain)).toBe("");
    for (const f of OUTPUT_FORMATS) {
      expect(render(null, f, plain)).toBe("");
      expect(render(undefined, f, plain)).toBe("");
    }
  });
});

describe("render table", () => {
  it("prints scalar columns of an array of objects, az style", () => {
    const rows = [
      { name: "app1", principalId: "p-1", enabled: true, tags: { a: "b" }, ids: ["x"] },
      { name: "a-much-longer-name", principalId: "p-2", enabled: false, location: "westeurope" },
    ];
    expect(render(rows, "table", plain)).toBe(
      [
        "Name                PrincipalId    Enabled    Location",
        "------------------  -------------  ---------  ----------",
        "app1                p-1            True",
        "a-much-longer-name  p-2            False      westeurope",
        "",
      ].join("\n"),
    );
  });
  it("leaves out id, type, etag and null values as az does", () => {
    expect(render(identity, "table", plain)).toBe(
      [
        "PrincipalId                           TenantId                              Enabled    Count",
        "------------------------------------  ------------------------------------  ---------  -------",
        "11111111-1111-1111-1111-111111111111  22222222-2222-2222-2222-222222222222  True       3",
        "",
      ].join("\n"),
    );
  });
  it("gives scalars a Result column and nested arrays numbered columns", () => {
    expect(render(["a", "bb"], "table", plain)).toBe("Result\n--------\na\nbb\n");
    expect(render("guid", "table", plain)).toBe("Result\n--------\nguid\n");
    expect(render([["x", 1]], "table", plain)).toBe(
      "Column1    Column2\n---------  ---------\nx          1\n",
    );
  });
  it("prints nothing for an empty array or when no scalar column is left", () => {
    expect(render([], "table", plain)).toBe("");
    expect(render({ id: "x", nested: { a: 1 } }, "table", plain)).toBe("");
  });
});

describe("render tsv", () => {
  it("prints one line per item, values in key order, strings raw", () => {
    const rows = [
      { name: "app1", principalId: "p-1" },
      { name: "app2", principalId: "p-2" },
    ];
    expect(render(rows, "tsv", plain)).toBe("app1\tp-1\napp2\tp-2\n");
  });
  it("keeps a column for nested values: empty for an object, the length for an array", () => {
    expect(render({ a: "x", obj: { b: 1 }, list: [1, 2, 3], z: 2 }, "tsv", plain)).toBe("x\t\t3\t2\n");
  });
  it("prints booleans and null inside a row as Python does, like az", () => {
    expect(render({ enabled: true, off: false, note: null }, "tsv", plain)).toBe("True\tFalse\tNone\n");
  });
  it("prints a top-level scalar as just its value", () => {
    expect(render("11111111-1111-1111-1111-111111111111", "tsv", plain)).toBe(
      "11111111-1111-1111-1111-111111111111\n",
    );
    expect(render(42, "tsv", plain)).toBe("42\n");
    expect(render(true, "tsv", plain)).toBe("true\n");
    expect(render(["a", "b"], "tsv", plain)).toBe("a\nb\n");
    expect(render([["a", "b"]], "tsv", plain)).toBe("a\tb\n");
  });
});
