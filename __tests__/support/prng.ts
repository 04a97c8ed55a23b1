/** Property tests draw their cases from the generator the URL sample uses. */
export { prng } from '../../src/shared/prng.js'
