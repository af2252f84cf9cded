//! The vocabulary of who and how: the roles a party plays in a transaction,
//! how goods were moved, and IMO ship identification numbers. Shared by the
//! checker (rules name roles and modes) and the event readers.

/// The role a party plays in a transaction (an event's `parties`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartyRole {
    Exporter,
    Importer,
    Consignee,
    Shipper,
    Owner,
    Operator,
    Manager,
    Charterer,
    Insurer,
    Financier,
    Broker,
}

impl PartyRole {
    /// Every role, in documentation order.
    pub const ALL: [PartyRole; 11] = [
        PartyRole::Exporter,
        PartyRole::Importer,
        PartyRole::Consignee,
        PartyRole::Shipper,
        PartyRole::Owner,
        PartyRole::Operator,
        PartyRole::Manager,
        PartyRole::Charterer,
        PartyRole::Insurer,
        PartyRole::Financier,
        PartyRole::Broker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Exporter => "exporter",
            PartyRole::Importer => "importer",
            PartyRole::Consignee => "consignee",
            PartyRole::Shipper => "shipper",
            PartyRole::Owner => "owner",
            PartyRole::Operator => "operator",
            PartyRole::Manager => "manager",
            PartyRole::Charterer => "charterer",
            PartyRole::Insurer => "insurer",
            PartyRole::Financier => "financier",
            PartyRole::Broker => "broker",
        }
    }

    pub fn from_name(name: &str) -> Option<PartyRole> {
        PartyRole::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The field a finding names for a party in this role (`parties.owner`).
    pub fn field(self) -> &'static str {
        match self {
            PartyRole::Exporter => "parties.exporter",
            PartyRole::Importer => "parties.importer",
            PartyRole::Consignee => "parties.consignee",
            PartyRole::Shipper => "parties.shipper",
            PartyRole::Owner => "parties.owner",
            PartyRole::Operator => "parties.operator",
            PartyRole::Manager => "parties.manager",
            PartyRole::Charterer => "parties.charterer",
            PartyRole::Insurer => "parties.insurer",
            PartyRole::Financier => "parties.financier",
            PartyRole::Broker => "parties.broker",
        }
    }

    /// The CSV column of a party in this role (`party_owner`).
    pub fn column(self) -> &'static str {
        match self {
            PartyRole::Exporter => "party_exporter",
            PartyRole::Importer => "party_importer",
            PartyRole::Consignee => "party_consignee",
            PartyRole::Shipper => "party_shipper",
            PartyRole::Owner => "party_owner",
            PartyRole::Operator => "party_operator",
            PartyRole::Manager => "party_manager",
            PartyRole::Charterer => "party_charterer",
            PartyRole::Insurer => "party_insurer",
            PartyRole::Financier => "party_financier",
            PartyRole::Broker => "party_broker",
        }
    }

    /// The CSV column of the country of a party in this role (`party_owner_country`).
    pub fn country_column(self) -> &'static str {
        match self {
            PartyRole::Exporter => "party_exporter_country",
            PartyRole::Importer => "party_importer_country",
            PartyRole::Consignee => "party_consignee_country",
            PartyRole::Shipper => "party_shipper_country",
            PartyRole::Owner => "party_owner_country",
            PartyRole::Operator => "party_operator_country",
            PartyRole::Manager => "party_manager_country",
            PartyRole::Charterer => "party_charterer_country",
            PartyRole::Insurer => "party_insurer_country",
            PartyRole::Financier => "party_financier_country",
            PartyRole::Broker => "party_broker_country",
        }
    }
}

/// What a rule's `with …` may name: a party role, or a vessel of the event
/// (its `vessel` or `counterpart_vessel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Participant {
    Role(PartyRole),
    /// The event's vessel or, in a ship-to-ship transfer, the other one.
    Vessel,
}

impl Participant {
    pub fn as_str(self) -> &'static str {
        match self {
            Participant::Role(r) => r.as_str(),
            Participant::Vessel => "vessel",
        }
    }

    pub fn from_name(name: &str) -> Option<Participant> {
        if name == "vessel" {
            return Some(Participant::Vessel);
        }
        PartyRole::from_name(name).map(Participant::Role)
    }

    /// Every name a rule may use, for suggestions and completion.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PartyRole::ALL
            .into_iter()
            .map(PartyRole::as_str)
            .chain(["vessel"])
    }
}

/// How the goods moved (an event's `transfer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transfer {
    Port,
    Sts,
    Pipeline,
    Road,
    Rail,
    Air,
}

impl Transfer {
    pub const ALL: [Transfer; 6] = [
        Transfer::Port,
        Transfer::Sts,
        Transfer::Pipeline,
        Transfer::Road,
        Transfer::Rail,
        Transfer::Air,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transfer::Port => "port",
            Transfer::Sts => "sts",
            Transfer::Pipeline => "pipeline",
            Transfer::Road => "road",
            Transfer::Rail => "rail",
            Transfer::Air => "air",
        }
    }

    /// The mode named, case-insensitively (`STS` is `sts`).
    pub fn from_name(name: &str) -> Option<Transfer> {
        let n = name.trim().to_ascii_lowercase();
        Transfer::ALL.into_iter().find(|t| t.as_str() == n)
    }
}

/// Why a text is not a valid IMO ship identification number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImoError {
    /// Not seven digits (after an optional `IMO` prefix).
    NotSevenDigits,
    /// Seven digits whose last is not the check digit of the first six.
    CheckDigit { expected: u8 },
}

/// The IMO check digit of the first six digits: each digit times its weight
/// (7, 6, 5, 4, 3, 2 from the left), summed; the last digit of the sum.
pub fn imo_check_digit(first_six: &[u8; 6]) -> u8 {
    let sum: u32 = first_six
        .iter()
        .zip([7u32, 6, 5, 4, 3, 2])
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    (sum % 10) as u8
}

/// `IMO 9123456`, `IMO9123456` or `9123456`, with a valid check digit.
pub fn parse_imo(text: &str) -> Result<u32, ImoError> {
    let t = text.trim();
    let t = t
        .strip_prefix("IMO")
        .or_else(|| t.strip_prefix("imo"))
        .or_else(|| t.strip_prefix("Imo"))
        .unwrap_or(t)
        .trim_start_matches([' ', ':', '-', '.'])
        .trim();
    let bytes = t.as_bytes();
    if bytes.len() != 7 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(ImoError::NotSevenDigits);
    }
    let mut six = [0u8; 6];
    for (slot, b) in six.iter_mut().zip(bytes) {
        *slot = b - b'0';
    }
    let expected = imo_check_digit(&six);
    if bytes[6] - b'0' != expected {
        return Err(ImoError::CheckDigit { expected });
    }
    Ok(t.parse::<u32>().unwrap_or_default())
}

/// Does the text look like an IMO number (rather than a vessel's name)?
pub fn looks_like_imo(text: &str) -> bool {
    let t = text.trim();
    let digits = t
        .strip_prefix("IMO")
        .or_else(|| t.strip_prefix("imo"))
        .or_else(|| t.strip_prefix("Imo"))
        .map(|r| r.trim_start_matches([' ', ':', '-', '.']))
        .unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imo_check_digits() {
        // IMO's own example: 9074729 (9×7 + 0×6 + 7×5 + 4×4 + 7×3 + 2×2 = 139).
        assert_eq!(parse_imo("IMO 9074729"), Ok(9_074_729));
        assert_eq!(parse_imo("9074729"), Ok(9_074_729));
        assert_eq!(parse_imo("IMO9074729"), Ok(9_074_729));
        assert_eq!(
            parse_imo("IMO 9074728"),
            Err(ImoError::CheckDigit { expected: 9 })
        );
        assert_eq!(parse_imo("IMO 907472"), Err(ImoError::NotSevenDigits));
        assert_eq!(parse_imo("IMO 90747290"), Err(ImoError::NotSevenDigits));
        assert_eq!(parse_imo("IMO 90747a9"), Err(ImoError::NotSevenDigits));
        assert!(looks_like_imo("IMO 1234"));
        assert!(!looks_like_imo("Chon Ma San"));
    }
}
