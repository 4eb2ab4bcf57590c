// A client's ideal customer profile as stored on its row (onboarding confirms it, PUT …/icp edits it):
// one projection for the API's answers and the audit rows of both paths.
import type { Client } from '../db/client';

export type StoredIcpFields = Pick<
  Client,
  'icpIndustries' | 'icpCompanySizes' | 'icpTitles' | 'icpLocations' | 'icpPainPoints' | 'icpValueProp' | 'alsWeights'
>;

export function storedIcp(c: StoredIcpFields) {
  return {
    industries: c.icpIndustries,
    companySizes: c.icpCompanySizes,
    titles: c.icpTitles,
    locations: c.icpLocations,
    painPoints: c.icpPainPoints,
    valueProp: c.icpValueProp,
    alsWeights: c.alsWeights,
  };
}
