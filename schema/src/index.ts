export * from './dates.ts';
export * from './enums.ts';
export * from './items.ts';
export * from './ledger.ts';
export * from './reporting.ts';
export * from './rules.ts';
