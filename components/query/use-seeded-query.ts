"use client";

import { useEffect } from "react";
import { useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";

/**
 * A query whose first data is the server component's render (no loading flash). When the server renders
 * the page again (a server action's revalidatePath, router.refresh, coming back to the page) its newer data
 * replaces the cache's. Returns the data.
 */
export function useSeededQuery<T>(options: {
  queryKey: QueryKey;
  queryFn: () => Promise<T>;
  initial: T;
  staleTime?: number;
  refetchInterval?: number;
}) {
  const { queryKey, queryFn, initial, staleTime, refetchInterval } = options;
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey, queryFn, initialData: initial, staleTime, refetchInterval });
  const keyHash = JSON.stringify(queryKey);
  useEffect(() => {
    queryClient.setQueryData(JSON.parse(keyHash) as QueryKey, initial);
  }, [queryClient, keyHash, initial]);
  // initialData makes data defined from the first render; TypeScript cannot see that through the generic.
  return query.data ?? initial;
}
