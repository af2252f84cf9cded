//! Built-in ISO 3166-1 alpha-3 country and ISO 4217 currency code tables, so rule
//! files can name any country or currency without declaring it first.

/// All 249 officially assigned ISO 3166-1 alpha-3 codes with their short English
/// names, sorted by code (byte order) for binary search.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("ABW", "Aruba"),
    ("AFG", "Afghanistan"),
    ("AGO", "Angola"),
    ("AIA", "Anguilla"),
    ("ALA", "Åland Islands"),
    ("ALB", "Albania"),
    ("AND", "Andorra"),
    ("ARE", "United Arab Emirates"),
    ("ARG", "Argentina"),
    ("ARM", "Armenia"),
    ("ASM", "American Samoa"),
    ("ATA", "Antarctica"),
    ("ATF", "French Southern Territories"),
    ("ATG", "Antigua and Barbuda"),
    ("AUS", "Australia"),
    ("AUT", "Austria"),
    ("AZE", "Azerbaijan"),
    ("BDI", "Burundi"),
    ("BEL", "Belgium"),
    ("BEN", "Benin"),
    ("BES", "Bonaire, Sint Eustatius and Saba"),
    ("BFA", "Burkina Faso"),
    ("BGD", "Bangladesh"),
    ("BGR", "Bulgaria"),
    ("BHR", "Bahrain"),
    ("BHS", "Bahamas"),
    ("BIH", "Bosnia and Herzegovina"),
    ("BLM", "Saint Barthélemy"),
    ("BLR", "Belarus"),
    ("BLZ", "Belize"),
    ("BMU", "Bermuda"),
    ("BOL", "Bolivia (Plurinational State of)"),
    ("BRA", "Brazil"),
    ("BRB", "Barbados"),
    ("BRN", "Brunei Darussalam"),
    ("BTN", "Bhutan"),
    ("BVT", "Bouvet Island"),
    ("BWA", "Botswana"),
    ("CAF", "Central African Republic"),
    ("CAN", "Canada"),
    ("CCK", "Cocos (Keeling) Islands"),
    ("CHE", "Switzerland"),
    ("CHL", "Chile"),
    ("CHN", "China"),
    ("CIV", "Côte d'Ivoire"),
    ("CMR", "Cameroon"),
    ("COD", "Congo, Democratic Republic of the"),
    ("COG", "Congo"),
    ("COK", "Cook Islands"),
    ("COL", "Colombia"),
    ("COM", "Comoros"),
    ("CPV", "Cabo Verde"),
    ("CRI", "Costa Rica"),
    ("CUB", "Cuba"),
    ("CUW", "Curaçao"),
    ("CXR", "Christmas Island"),
    ("CYM", "Cayman Islands"),
    ("CYP", "Cyprus"),
    ("CZE", "Czechia"),
    ("DEU", "Germany"),
    ("DJI", "Djibouti"),
    ("DMA", "Dominica"),
    ("DNK", "Denmark"),
    ("DOM", "Dominican Republic"),
    ("DZA", "Algeria"),
    ("ECU", "Ecuador"),
    ("EGY", "Egypt"),
    ("ERI", "Eritrea"),
    ("ESH", "Western Sahara"),
    ("ESP", "Spain"),
    ("EST", "Estonia"),
    ("ETH", "Ethiopia"),
    ("FIN", "Finland"),
    ("FJI", "Fiji"),
    ("FLK", "Falkland Islands (Malvinas)"),
    ("FRA", "France"),
    ("FRO", "Faroe Islands"),
    ("FSM", "Micronesia (Federated States of)"),
    ("GAB", "Gabon"),
    (
        "GBR",
        "United Kingdom of Great Britain and Northern Ireland",
    ),
    ("GEO", "Georgia"),
    ("GGY", "Guernsey"),
    ("GHA", "Ghana"),
    ("GIB", "Gibraltar"),
    ("GIN", "Guinea"),
    ("GLP", "Guadeloupe"),
    ("GMB", "Gambia"),
    ("GNB", "Guinea-Bissau"),
    ("GNQ", "Equatorial Guinea"),
    ("GRC", "Greece"),
    ("GRD", "Grenada"),
    ("GRL", "Greenland"),
    ("GTM", "Guatemala"),
    ("GUF", "French Guiana"),
    ("GUM", "Guam"),
    ("GUY", "Guyana"),
    ("HKG", "Hong Kong"),
    ("HMD", "Heard Island and McDonald Islands"),
    ("HND", "Honduras"),
    ("HRV", "Croatia"),
    ("HTI", "Haiti"),
    ("HUN", "Hungary"),
    ("IDN", "Indonesia"),
    ("IMN", "Isle of Man"),
    ("IND", "India"),
    ("IOT", "British Indian Ocean Territory"),
    ("IRL", "Ireland"),
    ("IRN", "Iran (Islamic Republic of)"),
    ("IRQ", "Iraq"),
    ("ISL", "Iceland"),
    ("ISR", "Israel"),
    ("ITA", "Italy"),
    ("JAM", "Jamaica"),
    ("JEY", "Jersey"),
    ("JOR", "Jordan"),
    ("JPN", "Japan"),
    ("KAZ", "Kazakhstan"),
    ("KEN", "Kenya"),
    ("KGZ", "Kyrgyzstan"),
    ("KHM", "Cambodia"),
    ("KIR", "Kiribati"),
    ("KNA", "Saint Kitts and Nevis"),
    ("KOR", "Republic of Korea"),
    ("KWT", "Kuwait"),
    ("LAO", "Lao People's Democratic Republic"),
    ("LBN", "Lebanon"),
    ("LBR", "Liberia"),
    ("LBY", "Libya"),
    ("LCA", "Saint Lucia"),
    ("LIE", "Liechtenstein"),
    ("LKA", "Sri Lanka"),
    ("LSO", "Lesotho"),
    ("LTU", "Lithuania"),
    ("LUX", "Luxembourg"),
    ("LVA", "Latvia"),
    ("MAC", "Macao"),
    ("MAF", "Saint Martin (French part)"),
    ("MAR", "Morocco"),
    ("MCO", "Monaco"),
    ("MDA", "Moldova, Republic of"),
    ("MDG", "Madagascar"),
    ("MDV", "Maldives"),
    ("MEX", "Mexico"),
    ("MHL", "Marshall Islands"),
    ("MKD", "North Macedonia"),
    ("MLI", "Mali"),
    ("MLT", "Malta"),
    ("MMR", "Myanmar"),
    ("MNE", "Montenegro"),
    ("MNG", "Mongolia"),
    ("MNP", "Northern Mariana Islands"),
    ("MOZ", "Mozambique"),
    ("MRT", "Mauritania"),
    ("MSR", "Montserrat"),
    ("MTQ", "Martinique"),
    ("MUS", "Mauritius"),
    ("MWI", "Malawi"),
    ("MYS", "Malaysia"),
    ("MYT", "Mayotte"),
    ("NAM", "Namibia"),
    ("NCL", "New Caledonia"),
    ("NER", "Niger"),
    ("NFK", "Norfolk Island"),
    ("NGA", "Nigeria"),
    ("NIC", "Nicaragua"),
    ("NIU", "Niue"),
    ("NLD", "Netherlands"),
    ("NOR", "Norway"),
    ("NPL", "Nepal"),
    ("NRU", "Nauru"),
    ("NZL", "New Zealand"),
    ("OMN", "Oman"),
    ("PAK", "Pakistan"),
    ("PAN", "Panama"),
    ("PCN", "Pitcairn"),
    ("PER", "Peru"),
    ("PHL", "Philippines"),
    ("PLW", "Palau"),
    ("PNG", "Papua New Guinea"),
    ("POL", "Poland"),
    ("PRI", "Puerto Rico"),
    ("PRK", "Democratic People's Republic of Korea"),
    ("PRT", "Portugal"),
    ("PRY", "Paraguay"),
    ("PSE", "Palestine, State of"),
    ("PYF", "French Polynesia"),
    ("QAT", "Qatar"),
    ("REU", "Réunion"),
    ("ROU", "Romania"),
    ("RUS", "Russian Federation"),
    ("RWA", "Rwanda"),
    ("SAU", "Saudi Arabia"),
    ("SDN", "Sudan"),
    ("SEN", "Senegal"),
    ("SGP", "Singapore"),
    ("SGS", "South Georgia and the South Sandwich Islands"),
    ("SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SJM", "Svalbard and Jan Mayen"),
    ("SLB", "Solomon Islands"),
    ("SLE", "Sierra Leone"),
    ("SLV", "El Salvador"),
    ("SMR", "San Marino"),
    ("SOM", "Somalia"),
    ("SPM", "Saint Pierre and Miquelon"),
    ("SRB", "Serbia"),
    ("SSD", "South Sudan"),
    ("STP", "Sao Tome and Principe"),
    ("SUR", "Suriname"),
    ("SVK", "Slovakia"),
    ("SVN", "Slovenia"),
    ("SWE", "Sweden"),
    ("SWZ", "Eswatini"),
    ("SXM", "Sint Maarten (Dutch part)"),
    ("SYC", "Seychelles"),
    ("SYR", "Syrian Arab Republic"),
    ("TCA", "Turks and Caicos Islands"),
    ("TCD", "Chad"),
    ("TGO", "Togo"),
    ("THA", "Thailand"),
    ("TJK", "Tajikistan"),
    ("TKL", "Tokelau"),
    ("TKM", "Turkmenistan"),
    ("TLS", "Timor-Leste"),
    ("TON", "Tonga"),
    ("TTO", "Trinidad and Tobago"),
    ("TUN", "Tunisia"),
    ("TUR", "Türkiye"),
    ("TUV", "Tuvalu"),
    ("TWN", "Taiwan, Province of China"),
    ("TZA", "Tanzania, United Republic of"),
    ("UGA", "Uganda"),
    ("UKR", "Ukraine"),
    ("UMI", "United States Minor Outlying Islands"),
    ("URY", "Uruguay"),
    ("USA", "United States of America"),
    ("UZB", "Uzbekistan"),
    ("VAT", "Holy See"),
    ("VCT", "Saint Vincent and the Grenadines"),
    ("VEN", "Venezuela (Bolivarian Republic of)"),
    ("VGB", "Virgin Islands (British)"),
    ("VIR", "Virgin Islands (U.S.)"),
    ("VNM", "Viet Nam"),
    ("VUT", "Vanuatu"),
    ("WLF", "Wallis and Futuna"),
    ("WSM", "Samoa"),
    ("YEM", "Yemen"),
    ("ZAF", "South Africa"),
    ("ZMB", "Zambia"),
    ("ZWE", "Zimbabwe"),
];

/// Active ISO 4217 alphabetic currency codes (including supranational units such as
/// XDR and precious-metal codes), sorted ascending for binary search.
pub const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD",
    "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DJF",
    "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP",
    "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR",
    "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
    "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
    "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR",
    "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
    "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN",
    "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH",
    "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF",
    "XAG", "XAU", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR",
    "ZMW", "ZWG",
];

/// Returns the short English name for an uppercase ISO 3166-1 alpha-3 code.
pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by(|&(c, _)| c.cmp(code))
        .ok()
        .map(|i| COUNTRIES[i].1)
}

/// Whether `code` is an officially assigned ISO 3166-1 alpha-3 code (uppercase).
/// The place of three capital letters in a table of all of them.
fn index3(c: &[u8]) -> Option<usize> {
    match c {
        [a, b, d] if [a, b, d].iter().all(|x| x.is_ascii_uppercase()) => {
            Some((usize::from(a - b'A') * 26 + usize::from(b - b'A')) * 26 + usize::from(d - b'A'))
        }
        _ => None,
    }
}

pub fn is_country(code: &str) -> bool {
    // Events name countries millions of times: a table indexed by the
    // three letters answers without comparing strings.
    static TABLE: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    let index = index3;
    let table = TABLE.get_or_init(|| {
        let mut t = vec![false; 26 * 26 * 26];
        for (c, _) in COUNTRIES {
            if let Some(i) = index(c.as_bytes()) {
                t[i] = true;
            }
        }
        t
    });
    index(code.as_bytes()).is_some_and(|i| table[i])
}

/// Whether `code` is an active ISO 4217 alphabetic currency code (uppercase).
pub fn is_currency(code: &str) -> bool {
    CURRENCIES.binary_search(&code).is_ok()
}

/// The table's own `'static` spelling of a currency code.
pub fn currency(code: &str) -> Option<&'static str> {
    currency_index(code).and_then(|n| CURRENCIES.get(n).copied())
}

/// A currency code's place in [`CURRENCIES`].
pub fn currency_index(code: &str) -> Option<usize> {
    // Prices name currencies once an event: a table indexed by the three
    // letters (1 + the code's place in the list, 0 for none), as for countries.
    static TABLE: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    if let Some(i) = index3(code.as_bytes()) {
        let table = TABLE.get_or_init(|| {
            let mut t = vec![0u16; 26 * 26 * 26];
            for (n, c) in CURRENCIES.iter().enumerate() {
                if let (Some(i), Ok(n)) = (index3(c.as_bytes()), u16::try_from(n + 1)) {
                    t[i] = n;
                }
            }
            t
        });
        let n = usize::from(*table.get(i)?);
        return n.checked_sub(1);
    }
    CURRENCIES.binary_search(&code).ok()
}

/// Common non-ISO names for countries that analysts write by habit
/// (`UK`, `GER`, `ROK` …), so a suggestion can name the right code rather
/// than the nearest spelling (`UK` is not `UKR`).
pub fn common_name_code(name: &str) -> Option<&'static str> {
    const COMMON: &[(&str, &str)] = &[
        ("BRD", "DEU"),
        ("CN", "CHN"),
        ("DE", "DEU"),
        ("DPRK", "PRK"),
        ("FR", "FRA"),
        ("GB", "GBR"),
        ("GER", "DEU"),
        ("IR", "IRN"),
        ("JP", "JPN"),
        ("KP", "PRK"),
        ("KR", "KOR"),
        ("NK", "PRK"),
        ("PRC", "CHN"),
        ("ROK", "KOR"),
        ("RU", "RUS"),
        ("SK", "KOR"),
        ("SY", "SYR"),
        ("UAE", "ARE"),
        ("UK", "GBR"),
        ("US", "USA"),
        ("USSR", "RUS"),
    ];
    let upper = name.to_ascii_uppercase();
    COMMON.iter().find(|(n, _)| *n == upper).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_agrees_with_the_list() {
        for (c, _) in super::COUNTRIES {
            assert!(super::is_country(c));
        }
        assert!(!super::is_country("DRK"));
        assert!(!super::is_country("prk"));
        assert!(!super::is_country("PRKX"));
    }

    use super::*;

    fn is_code(s: &str) -> bool {
        s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
    }

    #[test]
    fn countries_table_is_well_formed() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        for &(code, name) in COUNTRIES {
            assert!(is_code(code), "bad country code {code:?}");
            assert!(!name.is_empty());
        }
    }

    #[test]
    fn currencies_table_is_well_formed() {
        assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
        for &code in CURRENCIES {
            assert!(is_code(code), "bad currency code {code:?}");
        }
    }

    #[test]
    fn country_spot_checks() {
        assert_eq!(
            country_name("PRK"),
            Some("Democratic People's Republic of Korea")
        );
        assert_eq!(country_name("KOR"), Some("Republic of Korea"));
        assert!(is_country("RUS"));
        assert!(is_country("USA"));
        assert!(is_country("ABW"));
        assert!(is_country("ZWE"));
        assert!(!is_country("DRK"));
        assert!(!is_country("XKX"));
        assert!(!is_country("ANT"));
        assert!(!is_country("usa"));
        assert!(!is_country(""));
    }

    #[test]
    fn currency_spot_checks() {
        assert!(is_currency("USD"));
        assert!(is_currency("KPW"));
        assert!(is_currency("EUR"));
        assert!(is_currency("XDR"));
        assert!(!is_currency("ABC"));
        assert!(!is_currency("HRK"));
        assert!(!is_currency("usd"));
    }
}
