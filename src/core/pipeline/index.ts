/** The analysis pipeline's public surface (see analysis.ts for the flow). */
export { documentFindings, firstInitializationAnalysis, fixesToVerify, measureEntry, modelFindings, readSource, verifyEntry, type MeasuredModel, type ModelEntry, type SourceAnalysis } from './analysis';
export { measuredOutcome, sourceReport, type ModelOutcome, type Refusal } from './outcome';
export type { MeasurementPort } from './port';
export { verifyFixes, type MeasuredVariant, type SeedComparison, type VariantResult, type VariantVerdict, type Verification } from './verify';
