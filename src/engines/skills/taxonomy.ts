// The industry taxonomy the ICP skills classify into, and the service lexicon the service extractor
// matches. Each industry carries keywords (matched as whole words; `*` = word prefix), the name the
// ICP stores (worded like lead-data industries so the scorer's token match finds them), the
// decision-maker titles and the pain points typical of it.

export interface Industry {
  slug: string;
  /** The audience, for copy: "dental practices". */
  audience: string;
  /** Stored in the client's ICP and matched against leads' company industry. */
  icpName: string;
  keywords: string[];
  titles: string[];
  painPoints: string[];
  /** Typical size of these businesses (employees), for the ICP when the portfolio says nothing. */
  typicalSizes: string[];
}

export const INDUSTRIES: readonly Industry[] = [
  {
    slug: 'dental',
    audience: 'dental practices',
    icpName: 'Dental',
    keywords: ['dental', 'dentist*', 'dentistry', 'orthodont*', 'teeth', 'oral health', 'smile*', 'endodont*', 'periodont*'],
    titles: ['Practice Owner', 'Principal Dentist', 'Practice Manager'],
    painPoints: ['Empty chairs and gaps in the appointment book', 'Too few high-value treatment enquiries (implants, Invisalign)'],
    typicalSizes: ['1-10', '11-50'],
  },
  {
    slug: 'healthcare',
    audience: 'healthcare and allied health clinics',
    icpName: 'Health Care',
    keywords: [
      'clinic*', 'medical', 'health', 'healthcare', 'physio*', 'chiropract*', 'osteopath*', 'podiatr*', 'allied health',
      'patient*', 'gp', 'doctor*', 'pharmac*', 'psycholog*', 'dermatolog*', 'optometr*', 'veterinar*', 'radiolog*', 'hospital*',
    ],
    titles: ['Clinic Owner', 'Practice Manager', 'Medical Director'],
    painPoints: ['Patient acquisition costs rising', 'Reliance on referrals for new patients'],
    typicalSizes: ['11-50'],
  },
  {
    slug: 'legal',
    audience: 'law firms',
    icpName: 'Legal',
    keywords: ['law', 'lawyer*', 'legal', 'solicitor*', 'attorney*', 'barrister*', 'conveyanc*', 'litigation', 'family law'],
    titles: ['Managing Partner', 'Principal Lawyer', 'Practice Manager'],
    painPoints: ['Inconsistent flow of qualified matters', 'Competing with large firms on search and ads'],
    typicalSizes: ['11-50', '51-200'],
  },
  {
    slug: 'accounting',
    audience: 'accounting and advisory firms',
    icpName: 'Accounting',
    keywords: ['accounting', 'accountant*', 'bookkeep*', 'tax', 'cpa', 'chartered accountant*', 'audit*', 'payroll'],
    titles: ['Managing Partner', 'Principal', 'Practice Manager'],
    painPoints: ['Seasonal revenue swings outside tax time', 'Hard to stand out from other firms'],
    typicalSizes: ['11-50'],
  },
  {
    slug: 'financial-services',
    audience: 'financial services firms',
    icpName: 'Financial Services',
    keywords: ['financial advis*', 'financial planning', 'wealth', 'mortgage*', 'broker*', 'insurance', 'lending', 'finance'],
    titles: ['Managing Director', 'Principal Adviser', 'Head of Marketing'],
    painPoints: ['Compliance-heavy marketing slows campaigns', 'Low trust in cold channels'],
    typicalSizes: ['11-50', '51-200'],
  },
  {
    slug: 'real-estate',
    audience: 'real estate agencies',
    icpName: 'Real Estate',
    keywords: ['real estate', 'realty', 'realtor*', 'property', 'properties', 'estate agent*', 'property management', 'leasing'],
    titles: ['Principal', 'Director', 'Sales Manager'],
    painPoints: ['Winning listings against bigger agencies', 'Lead flow tied to the market cycle'],
    typicalSizes: ['11-50'],
  },
  {
    slug: 'trades',
    audience: 'trades and home services businesses',
    icpName: 'Construction',
    keywords: [
      'plumb*', 'electric*', 'builder*', 'building', 'construction', 'roof*', 'hvac', 'air conditioning', 'landscap*',
      'carpent*', 'painting', 'painters', 'renovation*', 'trades', 'tradie*', 'pest control', 'cleaning', 'solar',
    ],
    titles: ['Owner', 'Director', 'Operations Manager'],
    painPoints: ['Feast-or-famine job pipeline', 'Paying for shared leads from directories'],
    typicalSizes: ['1-10', '11-50'],
  },
  {
    slug: 'hospitality',
    audience: 'hospitality venues',
    icpName: 'Hospitality',
    keywords: ['restaurant*', 'cafe*', 'hotel*', 'bar', 'bars', 'catering', 'hospitality', 'venue*', 'brewer*', 'winer*'],
    titles: ['Owner', 'General Manager', 'Marketing Manager'],
    painPoints: ['Quiet midweek trade', 'Dependence on delivery and booking platforms'],
    typicalSizes: ['11-50'],
  },
  {
    slug: 'retail-ecommerce',
    audience: 'retail and ecommerce brands',
    icpName: 'Retail',
    keywords: ['ecommerce', 'e-commerce', 'online store*', 'shopify', 'retail*', 'boutique*', 'store*', 'fashion', 'apparel', 'd2c', 'dtc'],
    titles: ['Founder', 'Head of Ecommerce', 'Marketing Manager'],
    painPoints: ['Rising customer acquisition cost on paid social', 'Low repeat purchase rate'],
    typicalSizes: ['11-50', '51-200'],
  },
  {
    slug: 'technology',
    audience: 'software and technology companies',
    icpName: 'Software',
    keywords: ['software', 'saas', 'app', 'apps', 'platform*', 'technology', 'tech', 'it services', 'cloud', 'startup*', 'cyber*', 'fintech'],
    titles: ['CEO', 'Head of Growth', 'VP Marketing'],
    painPoints: ['Pipeline too dependent on founder-led sales', 'Long sales cycles and low demo conversion'],
    typicalSizes: ['11-50', '51-200'],
  },
  {
    slug: 'education',
    audience: 'education and training providers',
    icpName: 'Education',
    keywords: ['school*', 'education', 'college*', 'universit*', 'training', 'tutor*', 'childcare', 'early learning', 'rto', 'courses'],
    titles: ['Principal', 'Marketing Manager', 'Enrolments Manager'],
    painPoints: ['Enrolments below capacity', 'Long decision cycles for parents and students'],
    typicalSizes: ['11-50', '51-200'],
  },
  {
    slug: 'fitness',
    audience: 'gyms and fitness studios',
    icpName: 'Health, Wellness & Fitness',
    keywords: ['gym*', 'fitness', 'personal train*', 'yoga', 'pilates', 'crossfit', 'studio*', 'wellness'],
    titles: ['Owner', 'Studio Manager', 'General Manager'],
    painPoints: ['Member churn after the first months', 'Seasonal sign-up spikes and slumps'],
    typicalSizes: ['1-10', '11-50'],
  },
  {
    slug: 'beauty',
    audience: 'salons and beauty clinics',
    icpName: 'Cosmetics',
    keywords: ['salon*', 'beauty', 'spa', 'spas', 'hair', 'barber*', 'cosmetic*', 'skin', 'skincare', 'aesthetic*', 'nails', 'lash*'],
    titles: ['Owner', 'Salon Manager', 'Clinic Director'],
    painPoints: ['Empty appointment slots', 'Clients booking once and not returning'],
    typicalSizes: ['1-10', '11-50'],
  },
  {
    slug: 'automotive',
    audience: 'automotive businesses',
    icpName: 'Automotive',
    keywords: ['automotive', 'car', 'cars', 'mechanic*', 'dealership*', 'motor*', 'vehicle*', 'panel beat*', 'tyre*', 'auto'],
    titles: ['Dealer Principal', 'Owner', 'Service Manager'],
    painPoints: ['Service bays not fully booked', 'Competing with dealer groups on ads'],
    typicalSizes: ['11-50'],
  },
  {
    slug: 'manufacturing',
    audience: 'manufacturers and industrial businesses',
    icpName: 'Manufacturing',
    keywords: ['manufactur*', 'factory', 'factories', 'industrial', 'fabricat*', 'engineering', 'machinery', 'wholesale', 'distribut*'],
    titles: ['Managing Director', 'Sales Director', 'General Manager'],
    painPoints: ['Sales relies on a few large accounts', 'Little digital lead generation'],
    typicalSizes: ['51-200'],
  },
  {
    slug: 'professional-services',
    audience: 'professional services firms',
    icpName: 'Professional Services',
    keywords: ['consult*', 'advisory', 'recruit*', 'architect*', 'agency', 'agencies', 'engineers', 'surveyor*', 'b2b services'],
    titles: ['Managing Director', 'Principal', 'Business Development Manager'],
    painPoints: ['Growth limited to referrals and networks', 'Partners too busy to market the firm'],
    typicalSizes: ['11-50', '51-200'],
  },
  {
    slug: 'nonprofit',
    audience: 'not-for-profits',
    icpName: 'Nonprofit Organization Management',
    keywords: ['charity', 'charities', 'nonprofit*', 'non-profit*', 'not-for-profit*', 'foundation*', 'donor*', 'fundrais*'],
    titles: ['CEO', 'Head of Fundraising', 'Marketing Manager'],
    painPoints: ['Donor acquisition costs', 'Limited marketing budget'],
    typicalSizes: ['11-50'],
  },
];

export const INDUSTRY_SLUGS = INDUSTRIES.map((i) => i.slug) as [string, ...string[]];
export const industryBySlug = (slug: string): Industry | undefined => INDUSTRIES.find((i) => i.slug === slug);

export interface ServiceTerm {
  /** Canonical service name. */
  name: string;
  aliases: string[];
  /** The problem this service answers, phrased from the buyer's side. */
  painPoint: string;
  /** Projects sold at a high price, usually signed off by the owner/CEO. */
  highTicket?: boolean;
}

export const SERVICE_LEXICON: readonly ServiceTerm[] = [
  { name: 'SEO', aliases: ['seo', 'search engine optimi*', 'local seo', 'organic search'], painPoint: 'Not ranking on Google for high-intent local searches' },
  { name: 'Google Ads (PPC)', aliases: ['google ads', 'ppc', 'pay per click', 'pay-per-click', 'adwords', 'paid search', 'search ads', 'sem'], painPoint: 'Paying too much per lead from paid ads' },
  { name: 'Social media marketing', aliases: ['social media', 'facebook ads', 'instagram', 'meta ads', 'paid social', 'tiktok', 'linkedin ads'], painPoint: 'Social media that does not bring in customers' },
  { name: 'Website design & development', aliases: ['web design', 'website design', 'web development', 'website development', 'websites', 'wordpress', 'web build*'], painPoint: 'An outdated website that does not convert visitors', highTicket: true },
  { name: 'Content marketing', aliases: ['content marketing', 'content creation', 'blog writing', 'copywriting', 'content strategy'], painPoint: 'No steady stream of content that builds trust' },
  { name: 'Email marketing', aliases: ['email marketing', 'edm', 'newsletters', 'email automation', 'marketing automation'], painPoint: 'Past customers and leads never nurtured' },
  { name: 'Branding', aliases: ['branding', 'brand strategy', 'brand identity', 'logo design', 'rebrand*'], painPoint: 'A brand that looks like every competitor', highTicket: true },
  { name: 'Conversion rate optimisation', aliases: ['conversion rate optimi*', 'cro', 'landing page*', 'a/b test*'], painPoint: 'Traffic that does not turn into enquiries' },
  { name: 'Reputation management', aliases: ['reputation management', 'online reviews', 'google reviews', 'review management'], painPoint: 'Too few reviews, or bad ones ranking first' },
  { name: 'Video production', aliases: ['video production', 'videography', 'video marketing', 'animation'], painPoint: 'No video content for ads and social' },
  { name: 'Marketing strategy', aliases: ['marketing strategy', 'digital strategy', 'growth strategy', 'fractional cmo', 'marketing consult*'], painPoint: 'Marketing spend without a plan or clear ROI', highTicket: true },
  { name: 'Analytics & reporting', aliases: ['analytics', 'reporting', 'tracking', 'attribution', 'dashboards'], painPoint: 'No idea which marketing actually works' },
  { name: 'App development', aliases: ['app development', 'mobile app*', 'software development', 'custom software'], painPoint: 'Manual processes a custom app could remove', highTicket: true },
  { name: 'Lead generation', aliases: ['lead generation', 'lead gen', 'appointment setting', 'outbound'], painPoint: 'Not enough qualified enquiries each month' },
];
