// The principal types a role assignment names. Apart from assignments.ts so that the command
// definitions (`--help`) can list them without loading the assignment code.
export type PrincipalType = "User" | "Group" | "ServicePrincipal" | "ForeignGroup" | "Device";
export const PRINCIPAL_TYPES: PrincipalType[] = [
  "User",
  "Group",
  "ServicePrincipal",
  "ForeignGroup",
  "Device",
];
