// Registers the custom search attributes on a namespace; safe to run on every start.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    // The Java time-skipping test server has no list call but accepts the add below.
    if ((err as { code?: number }).code !== grpcStatus.UNIMPLEMENTED) throw err;
  }
  const missing = CUSTOM_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !known.has(name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (err) {
    // Another process registered them between our list and add: that is the state we wanted.
    if ((err as { code?: number }).code !== grpcStatus.ALREADY_EXISTS) throw err;
  }
  return missing;
}
