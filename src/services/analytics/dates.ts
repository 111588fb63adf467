/** The warehouse's day key of an ISO instant (UTC): `2026-12-02`. */
export const dateKey = (iso: string) => iso.slice(0, 10);
