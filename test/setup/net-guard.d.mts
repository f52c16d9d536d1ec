export function isLoopback(host: string | undefined | null): boolean;
export function installNetGuard(): void;
