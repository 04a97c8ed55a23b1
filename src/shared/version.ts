/** Sent in the User-Agent; a test keeps it equal to package.json's version. */
export const ACTION_NAME = 'nexus-dataset-action'
export const ACTION_VERSION = '0.1.0'
