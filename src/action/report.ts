import type { Report } from '../operations/context.js'
import { setDatasetOutputs, setListOutputs, setOutput } from './outputs.js'
import { writeDatasetSummary, writeDatasetTable, writeRowsSummary } from './summary.js'

/** The operations' results, written as the runner wants them: step outputs and job summary. */
export const report: Report = {
  dataset: setDatasetOutputs,
  datasets: setListOutputs,
  output: setOutput,
  datasetSummary: writeDatasetSummary,
  rowsSummary: writeRowsSummary,
  tableSummary: writeDatasetTable
}
