import ArgumentParser
import TrustgateCore

struct Rules: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rules", abstract: "List every rule: id, default severity, area and title.")

  func run() {
    for rule in RuleCatalogue.descriptions {
      let severity = rule.severity.rawValue.padding(8)
      print("\(rule.id)  \(severity)\(rule.area.rawValue.padding(12))\(rule.title)")
    }
    print("\n`trustgate explain ID` shows what a rule checks, why, how to fix it, and its sources.")
  }
}

struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Explain one rule (what, why, how to fix, sources, examples), or what a client such as httpx trusts.")

  @Argument(help: ArgumentHelp("A rule id such as TG301, or a client such as httpx.", valueName: "id")) var id: String

  func validate() throws {
    guard RuleCatalogue.rule(id) != nil || ClientBehaviours.explain(id) != nil else {
      throw ValidationError(
        "unknown rule or client '\(id)'; `trustgate rules` lists the rules, and the clients are "
          + ClientBehaviours.clients.joined(separator: ", "))
    }
  }

  func run() {
    if let client = ClientBehaviours.explain(id) { return print(client, terminator: "") }
    guard let rule = RuleCatalogue.rule(id) else { return }
    let d = rule.description
    print("\(d.id) — \(d.title)")
    print("severity: \(d.severity.rawValue) (change it in .trustgate.yml under rules:)   area: \(d.area.rawValue)\n")
    print("Why it matters\n  \(d.rationale)\n")
    print("How to fix\n  \(d.fix)\n")
    print("Sources")
    for source in Set(d.sources).sorted() { print("  \(source)") }
    let examples = type(of: rule).examples
    if !examples.isEmpty {
      print("\nExamples (each is also a test)")
      for example in examples { print("  \(example.triggers ? "fires:  " : "passes: ") \(example.name)") }
    }
  }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
