/** Signed URLs of each family signed-url.ts reads, as their stores write them (documentation examples). */

/** `YYYYMMDDTHHMMSSZ`, the V4 signing time. */
export function basic(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** Epoch seconds, as V2 and CloudFront write `Expires`. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000)
}

export function aws(date: string, expires: string): string {
  return (
    'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
    '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
    `&X-Amz-Date=${date}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host` +
    '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404'
  )
}

export function gcs(date: string, expires: string): string {
  return (
    'https://storage.googleapis.com/example-bucket/cat.jpeg?X-Goog-Algorithm=GOOG4-RSA-SHA256' +
    '&X-Goog-Credential=example%40example-project.iam.gserviceaccount.com%2F20181026%2Fus-central1%2Fstorage%2Fgoog4_request' +
    `&X-Goog-Date=${date}&X-Goog-Expires=${expires}&X-Goog-SignedHeaders=host` +
    '&X-Goog-Signature=247a2aa45f169edf4d187d54e7cc46e4731b1e6273242c4f4c39a1d2507a0e58'
  )
}

export function azure(se: string): string {
  return (
    'https://myaccount.blob.core.windows.net/sascontainer/sasblob.jpg?sv=2019-02-02' +
    `&st=2019-04-29T22%3A18%3A26Z&se=${se}&sr=b&sp=r&spr=https` +
    '&sig=Z%2FRHIX5Xcg0Mq2rqI3OlWTjEg2tYkboXr1P9ZUXDtkk%3D'
  )
}

export const S3_V2 = (expires: string): string =>
  `https://awsexamplebucket1.s3.us-west-1.amazonaws.com/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=${expires}&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D`
export const GCS_V2 = (expires: string): string =>
  `https://storage.googleapis.com/example-bucket/cat.jpeg?GoogleAccessId=example%40example-project.iam.gserviceaccount.com&Expires=${expires}&Signature=BCl%2FnoB4Yp7JHj%2B2Q7%2BAC4%3D`
export const CLOUDFRONT = (expires: string): string =>
  `https://d111111abcdef8.cloudfront.net/image.jpg?Expires=${expires}&Signature=nitfHRCrtziwO2HwPfWw~yYDhUF5EwRunQA-j19DzZrvDh6hQ73lDx~-ar3UocvvRQVw6EkC~GdpGQyyOSKQim-TxAnW7d8F5Kkai9HVx0FIu-5jcQb0UEmatEXAMPLE3ReXySpLSMj0yCd3ZAB4UcBCAqEijkytL6f3fVYNGQI6&Key-Pair-Id=K2JCJMDEHXQW5F`

/** A CloudFront custom policy, in CloudFront's URL-safe base64. */
export function policy(statement: unknown): string {
  const json = JSON.stringify({ Statement: [statement] })
  return Buffer.from(json)
    .toString('base64')
    .replace(/[+=/]/g, c => (c === '+' ? '-' : c === '=' ? '_' : '~'))
}

export function cloudfrontPolicy(policyParam: string): string {
  return `https://d111111abcdef8.cloudfront.net/image.jpg?Policy=${policyParam}&Signature=nitfHRCrtziwO2HwPfWw~yYDhUF5Ew&Key-Pair-Id=K2JCJMDEHXQW5F`
}

/**
 * A URL of each family, signed to expire at `expiresAt` (epoch ms, a whole second), by the scheme
 * name signatureExpiry() gives.
 */
export function signedUrls(expiresAt: number): Array<[scheme: string, url: string]> {
  const epoch = String(seconds(expiresAt))
  const policyDocument = {
    Resource: 'https://d111111abcdef8.cloudfront.net/image.jpg',
    Condition: { DateLessThan: { 'AWS:EpochTime': seconds(expiresAt) } }
  }
  return [
    ['AWS SigV4', aws(basic(expiresAt - 3_600_000), '3600')],
    ['GCS V4', gcs(basic(expiresAt - 600_000), '600')],
    ['S3 V2', S3_V2(epoch)],
    ['GCS V2', GCS_V2(epoch)],
    ['CloudFront', CLOUDFRONT(epoch)],
    ['CloudFront', cloudfrontPolicy(policy(policyDocument))],
    ['Azure SAS', azure(new Date(expiresAt).toISOString())]
  ]
}
