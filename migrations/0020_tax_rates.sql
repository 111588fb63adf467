-- Published standard rates for a handful of jurisdictions (as of 2026; a seller's lawyer, not this table, has the last word).
-- US states: the statewide base sales tax, added on top of prices (local district taxes are not included).
--   CA 7.25%: California Department of Tax and Fee Administration, cdtfa.ca.gov, "California City & County Sales & Use Tax Rates".
--   NY 4%: New York State Department of Taxation and Finance, Publication 718.
--   TX 6.25%: Texas Comptroller of Public Accounts, "Sales and Use Tax".
--   WA 6.5%: Washington State Department of Revenue, "Sales tax rates".
-- Canada, Ontario: 13% HST, added on top (Canada Revenue Agency, "GST/HST rates").
-- VAT and GST, contained in consumer prices:
--   DE 19% (Umsatzsteuergesetz §12), FR 20% (Code général des impôts art. 278), GB 20% (HMRC, VAT rates),
--   NL 21% (Belastingdienst), JP 10% consumption tax (National Tax Agency), AU 10% GST (Australian Taxation Office).
INSERT OR IGNORE INTO `tax_rates` (`country`, `region`, `name`, `rate_bp`, `inclusive`, `source`) VALUES
  ('US', 'CA', 'California sales tax', 725, 0, 'cdtfa.ca.gov'),
  ('US', 'NY', 'New York sales tax', 400, 0, 'tax.ny.gov Publication 718'),
  ('US', 'TX', 'Texas sales tax', 625, 0, 'comptroller.texas.gov'),
  ('US', 'WA', 'Washington sales tax', 650, 0, 'dor.wa.gov'),
  ('CA', 'ON', 'Ontario HST', 1300, 0, 'canada.ca GST/HST rates'),
  ('DE', '', 'Umsatzsteuer', 1900, 1, 'UStG §12'),
  ('FR', '', 'TVA', 2000, 1, 'CGI art. 278'),
  ('GB', '', 'VAT', 2000, 1, 'gov.uk VAT rates'),
  ('NL', '', 'btw', 2100, 1, 'belastingdienst.nl'),
  ('JP', '', 'Consumption tax', 1000, 1, 'nta.go.jp'),
  ('AU', '', 'GST', 1000, 1, 'ato.gov.au');
