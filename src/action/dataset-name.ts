/**
 * The default dataset name: repository, short commit and run number, e.g.
 * `vision-a1b2c3d-42`, so a dataset in Nexus leads back to the run that made it.
 * Outside a runner the parts that are missing are left out.
 *
 * @actions/github (Octokit with it) is loaded here and only here, when `create` has no `name`:
 * no other operation pays for loading it.
 */
export async function defaultDatasetName(): Promise<string> {
  const { context } = await import(/* webpackMode: "eager" */ '@actions/github')
  const repository = process.env.GITHUB_REPOSITORY ? context.repo.repo : ''
  const sha = (context.sha ?? '').slice(0, 7)
  const run =
    Number.isFinite(context.runNumber) && context.runNumber > 0 ? String(context.runNumber) : ''
  const parts = [repository, sha, run].filter(Boolean)
  return parts.length > 0 ? parts.join('-') : 'dataset'
}
