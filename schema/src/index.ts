export * from './dates.ts';
export * from './enums.ts';
export * from './items.ts';
export * from './ledger.ts';
