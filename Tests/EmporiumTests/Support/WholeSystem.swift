import Testing

/// The suites that start the whole system (in process or as the served binary), one test at a time.
///
/// The whole test suite starts at once on two cores; a dozen systems starting beside it, each with nine modules,
/// their relays and background services, starved everything else (a checkout of 0.3 s alone took over 15 s).
/// Run one after another they take about as long in all, and the rest of the suite runs beside one of them.
@Suite(.serialized) enum WholeSystem {}
