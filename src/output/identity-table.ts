// What `-o table` shows for identity results: az's table leaves out `type` (knack skips id, type and
// etag), but for an identity the type is the answer, so these views name it `identityType`.
import { isRecord } from "./scalar.js";

type Item = Record<string, unknown>;

function items(value: unknown): Item[] {
  return (Array.isArray(value) ? value : [value]).filter(isRecord);
}

function lastSegment(id: unknown): string {
  return typeof id === "string" ? (id.split("/").filter(Boolean).pop() ?? id) : "";
}

function typeOf(identity: unknown): string {
  return isRecord(identity) && typeof identity.type === "string" ? identity.type : "None";
}

/**
 * enable/disable (and their dry runs): one row per resource with its identity type; a dry run shows the
 * type before and after.
 */
export function identityChangeTable(value: unknown): Item[] {
  return items(value).map((r) => {
    if (r.dryRun === true)
      return {
        resource: lastSegment(r.resourceId),
        result: r.result,
        identityTypeBefore: typeOf(r.before),
        identityTypeAfter: typeOf(r.after),
        resourceId: r.resourceId,
      };
    return {
      resource: lastSegment(r.resourceId),
      identityType: typeOf(r),
      principalId: r.principalId ?? "",
      tenantId: r.tenantId ?? "",
      result: r.result,
      resourceId: r.resourceId,
    };
  });
}

/**
 * show: one row per role assignment of each of the resource's identities (system-assigned, then each
 * user-assigned one by name); an identity without assignments still gets a row, with no role.
 */
export function showTable(value: unknown): Item[] {
  const rows: Item[] = [];
  for (const r of items(value)) {
    const resource = lastSegment(r.resourceId);
    const identityType = typeOf(r);
    const principals: { identity: string; principalId: string }[] = [];
    if (/SystemAssigned/i.test(identityType) && typeof r.principalId === "string")
      principals.push({ identity: "system", principalId: r.principalId });
    for (const [id, u] of Object.entries(
      isRecord(r.userAssignedIdentities) ? r.userAssignedIdentities : {},
    )) {
      const principalId = isRecord(u) && typeof u.principalId === "string" ? u.principalId : "";
      principals.push({ identity: lastSegment(id), principalId });
    }
    const assignments = Array.isArray(r.roleAssignments) ? r.roleAssignments.filter(isRecord) : null;
    if (principals.length === 0) principals.push({ identity: "", principalId: "" });
    for (const p of principals) {
      const base = { resource, identityType, identity: p.identity, principalId: p.principalId };
      const mine = (assignments ?? []).filter(
        (a) =>
          typeof a.principalId === "string" && a.principalId.toLowerCase() === p.principalId.toLowerCase(),
      );
      // Not readable (a warning said why): the row says so rather than showing no roles.
      if (mine.length === 0)
        rows.push({
          ...base,
          role: assignments === null && p.principalId ? "(not readable)" : "",
          scope: "",
        });
      for (const a of mine) rows.push({ ...base, role: a.roleName ?? "", scope: a.scope ?? "" });
    }
  }
  return rows;
}
