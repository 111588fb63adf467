export type Role = "buyer" | "seller" | "admin";

/** Who is calling, from a verified access token. */
export interface AuthContext {
  userId: string;
  role: Role;
}

/** Hono's environment for every route: bindings from `wrangler types`, plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    auth: AuthContext | null;
  };
}
