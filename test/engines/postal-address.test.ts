// Postal addresses per country: what an import, a PATCH and enrichment accept, how they are
// normalized, and the block a letter prints in its window.
import { addressBlockLines, addressFromCompany, validatePostalAddress } from '../../src/engines/postal-address';

const issues = (r: ReturnType<typeof validatePostalAddress>) => (r.issues ?? []).map((i) => i.field);

it('accepts and normalizes addresses of several countries', () => {
  expect(
    validatePostalAddress({
      addressLine1: ' 1 George St ',
      addressCity: 'Sydney',
      addressState: 'new south wales',
      addressPostalCode: '2000',
      addressCountry: 'Australia',
    }).address,
  ).toEqual({
    line1: '1 George St',
    city: 'Sydney',
    state: 'NSW',
    postalCode: '2000',
    country: 'AU',
  });
  expect(
    validatePostalAddress({
      addressLine1: '1600 Pennsylvania Ave NW',
      addressCity: 'Washington',
      addressState: 'DC',
      addressPostalCode: '20500-0003',
      addressCountry: 'us',
    }).address,
  ).toMatchObject({ state: 'DC', country: 'US' });
  expect(
    validatePostalAddress({ addressLine1: '24 Sussex Dr', addressCity: 'Ottawa', addressState: 'Ontario', addressPostalCode: 'k1m 1m4', addressCountry: 'CA' })
      .address,
  ).toMatchObject({ state: 'ON', postalCode: 'K1M 1M4' });
  expect(validatePostalAddress({ addressLine1: '1 Queen St', addressCity: 'Auckland', addressPostalCode: '1010', addressCountry: 'NZ' }).address).toMatchObject(
    { country: 'NZ' },
  );
  // City, state and country from the lead's own fields.
  expect(validatePostalAddress({ addressLine1: '1 Hay St', addressPostalCode: '6000' }, { city: 'Perth', state: 'WA', country: 'AU' }).address).toMatchObject({
    city: 'Perth',
    state: 'WA',
    country: 'AU',
  });
});

it('names the field of every problem', () => {
  expect(issues(validatePostalAddress({ addressCity: 'Sydney' }))).toEqual(['addressLine1', 'addressCountry']);
  expect(issues(validatePostalAddress({ addressLine1: '1 George St', addressCity: 'Sydney', addressPostalCode: '2000', addressCountry: 'AU' }))).toEqual([
    'addressState',
  ]);
  expect(
    issues(validatePostalAddress({ addressLine1: '1 George St', addressCity: 'Sydney', addressState: 'NSW', addressPostalCode: '200', addressCountry: 'AU' })),
  ).toEqual(['addressPostalCode']);
  expect(issues(validatePostalAddress({ addressLine1: '1 George St', addressCity: 'Sydney', addressState: 'NSW', addressCountry: 'AU' }))).toEqual([
    'addressPostalCode',
  ]);
  expect(issues(validatePostalAddress({ addressLine1: '10 Downing St', addressCity: 'London', addressPostalCode: '2000', addressCountry: 'GB' }))).toEqual([
    'addressPostalCode',
  ]);
  expect(issues(validatePostalAddress({ addressLine1: 'x', addressCity: 'y', addressPostalCode: '1', addressCountry: 'Atlantis' }))).toEqual([
    'addressCountry',
  ]);
});

it('prints the locality line as each post expects, and the country only abroad', () => {
  const au = { line1: 'Level 2', line2: '10 Market St', city: 'Melbourne', state: 'VIC', postalCode: '3000', country: 'AU' };
  expect(addressBlockLines(au, 'AU')).toEqual(['Level 2', '10 Market St', 'MELBOURNE VIC 3000']);
  expect(addressBlockLines(au, 'NZ')).toEqual(['Level 2', '10 Market St', 'MELBOURNE VIC 3000', 'AUSTRALIA']);
  expect(addressBlockLines({ line1: '10 Downing St', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' }, 'AU')).toEqual([
    '10 Downing St',
    'LONDON',
    'SW1A 2AA',
    'UNITED KINGDOM',
  ]);
  expect(addressBlockLines({ line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' }, 'DE')).toEqual([
    'Unter den Linden 1',
    '10117 Berlin',
  ]);
});

it('takes a company address from enrichment only when it is complete and valid', () => {
  expect(
    addressFromCompany({ streetAddress: '10 Market St', city: 'Sydney', state: 'New South Wales', postalCode: '2000', country: 'Australia' }),
  ).toMatchObject({ state: 'NSW', country: 'AU' });
  expect(addressFromCompany({ streetAddress: '10 Market St', city: 'Sydney', country: 'Australia' })).toBeNull();
  expect(addressFromCompany({ city: 'Sydney', state: 'NSW', postalCode: '2000', country: 'AU' })).toBeNull();
});
