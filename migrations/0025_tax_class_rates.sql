-- Reduced and zero rates by tax class, for the jurisdictions of 0020 (as of 2026; sources per row).
-- A category's tax_class (inherited by its subcategories) picks the row; without one, or without a
-- row for the class where the address is, the standard rate of tax_rates applies.
--   GB: books and children's clothing are zero-rated (HMRC VAT Notices 701/10 and 714), most food too (701/14).
--   DE: books and food at the reduced 7% (UStG §12(2) and Anlage 2).
--   FR: books and food at 5.5% (CGI art. 278-0 bis).
--   NL: books and food at the reduced 9% (Wet OB tabel I).
--   JP: food and drink (not alcohol, not dining out) at the reduced 8% (National Tax Agency, reduced tax rate system).
--   AU: basic food is GST-free (A New Tax System (GST) Act 1999, Subdivision 38-A).
--   US-CA: food products for human consumption are exempt (Revenue and Taxation Code §6359).
--   US-NY: food exempt (Tax Law §1115(a)(1)); clothing under $110 exempt is a price rule this table cannot express.
--   US-TX: food exempt (Tax Code §151.314).
--   US-WA: food exempt (RCW 82.08.0293).
--   CA-ON: basic groceries zero-rated (Excise Tax Act Schedule VI Part III); printed books carry only the 5% federal part (Ontario point-of-sale rebate).
INSERT OR IGNORE INTO `tax_class_rates` (`country`, `region`, `tax_class`, `rate_bp`, `source`) VALUES
  ('GB', '', 'books', 0, 'HMRC VAT Notice 701/10'),
  ('GB', '', 'children_clothing', 0, 'HMRC VAT Notice 714'),
  ('GB', '', 'food', 0, 'HMRC VAT Notice 701/14'),
  ('DE', '', 'books', 700, 'UStG §12(2)'),
  ('DE', '', 'food', 700, 'UStG §12(2), Anlage 2'),
  ('FR', '', 'books', 550, 'CGI art. 278-0 bis'),
  ('FR', '', 'food', 550, 'CGI art. 278-0 bis'),
  ('NL', '', 'books', 900, 'Wet OB tabel I'),
  ('NL', '', 'food', 900, 'Wet OB tabel I'),
  ('JP', '', 'food', 800, 'nta.go.jp reduced tax rate system'),
  ('AU', '', 'food', 0, 'GST Act 1999 Subdiv. 38-A'),
  ('US', 'CA', 'food', 0, 'Rev. & Tax. Code §6359'),
  ('US', 'NY', 'food', 0, 'NY Tax Law §1115(a)(1)'),
  ('US', 'TX', 'food', 0, 'Tax Code §151.314'),
  ('US', 'WA', 'food', 0, 'RCW 82.08.0293'),
  ('CA', 'ON', 'food', 0, 'Excise Tax Act Sched. VI Part III'),
  ('CA', 'ON', 'books', 500, 'Ontario point-of-sale rebate on printed books');
