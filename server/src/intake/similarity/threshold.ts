/** The estimated Jaccard (character bigrams) from which two texts count as 重复督办; see README.md. */
export const DUPLICATE_THRESHOLD = 0.2;
