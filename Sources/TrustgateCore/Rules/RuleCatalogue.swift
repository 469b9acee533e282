/// Every rule trustgate runs. Adding a rule is one file in `Catalogue/` and one line here.
public enum RuleCatalogue {
  public static let all: [any Rule] = [
    InputProblemRule(), UnreadableLockfileRule(),
    OSBundleMissingRule(), RootsRemovedRule(), RootsAddedRule(), LocalCANotInBundleRule(), HashedDirectoryStaleRule(),
    ExpiredRootsRule(), UnparsableTrustFileRule(),
    TrustVariableTargetRule(), TrustVariableChangedRule(), VerificationDisabledRule(), IgnoredTrustVariableRule(),
    EmptyTrustVariableRule(), ClientTrustChangedRule(), ClientTrustBrokenRule(),
    TrustChangingUpgradeRule(), CertifiRootsRemovedRule(), PinDiffersFromInstalledRule(), UnpinnedClientRule(),
    StrictX509Rule(), OpenSSLMajorChangedRule(),
    ClockUnsynchronisedRule(), ClockBehindRule(),
    ProxyCaseDisagreementRule(), ProxyMalformedRule(), ProxyCredentialsRule(), ProxyInterceptionRule(),
    RequiredRootRule(), IgnoreExpiredRule(),
    ClientNoLongerVerifiesRule(), CertifiMissesPrivateRootRule(),
  ]

  public static var descriptions: [RuleDescription] { all.map(\.description).sorted { $0.id < $1.id } }

  public static func rule(_ id: String) -> (any Rule)? {
    all.first { $0.description.id.caseInsensitiveEquals(id) }
  }
}

extension String {
  func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
