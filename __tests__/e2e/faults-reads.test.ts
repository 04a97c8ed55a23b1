import { faultMatrix } from '../support/fault-matrix.js'

// The fault matrix for the steps that read: every fault on list, get and wait.
faultMatrix(['list', 'get', 'wait'])
