import { faultMatrix } from '../support/fault-matrix.js'

// The fault matrix for the steps that write: every fault on create, upload and delete.
faultMatrix(['create', 'upload', 'delete'])
