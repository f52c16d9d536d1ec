// Azure RBAC permission matching: actions with `*` wildcards, minus notActions, case-insensitive.
export interface Permission {
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

const patterns = new Map<string, RegExp>();

export function actionMatches(pattern: string, action: string): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`, "i");
    patterns.set(pattern, re);
  }
  return re.test(action);
}

/** Whether the permission blocks grant `action` (a data action when `data` is true). */
export function permits(permissions: Permission[] | undefined, action: string, data: boolean): boolean {
  return (permissions ?? []).some((p) => {
    const allow = (data ? p.dataActions : p.actions) ?? [];
    const deny = (data ? p.notDataActions : p.notActions) ?? [];
    return allow.some((a) => actionMatches(a, action)) && !deny.some((d) => actionMatches(d, action));
  });
}

export function hasDataActions(permissions: Permission[] | undefined): boolean {
  return (permissions ?? []).some((p) => (p.dataActions ?? []).length > 0);
}
