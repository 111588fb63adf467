import { config } from "../../lib/config";

/** The search shards: how many, and the stub of each (one Durable Object per shard). */
export function shardCount(env: Pick<Env, "SEARCH_SHARDS">): number {
  return config(env).searchShards;
}

export function shardStub(env: Pick<Env, "SEARCH_SHARD">, shards: number, i: number) {
  return env.SEARCH_SHARD.get(env.SEARCH_SHARD.idFromName(`products:v1:${shards}:${i}`));
}
