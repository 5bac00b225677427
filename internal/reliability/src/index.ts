export { ContractModel, type ModelRecord } from './contract-model.ts';
export { type ContractModelOptions, runContractModel } from './contract-property.ts';
export { type StormOptions, type StormReport, runStorm, seededRandom } from './storm.ts';
export type { ChildStore } from './child-stores.ts';
export { type ChildReport, runTwoProcessBurst } from './two-processes.ts';
export { recordFigures, type ScenarioFigures } from './figures.ts';
