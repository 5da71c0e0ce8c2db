/// Carries a call to one service instance and brings back its reply.
///
/// The ``ServiceClient`` pipeline picks the instance; the transport only delivers. Every transport produces the
/// same results: the response, the endpoint's declared ``ServiceFailure``, or a ``RemoteCallError``.
public protocol Transport: Sendable {
    /// Calls `endpoint` on `instance`.
    ///
    /// It runs on the caller's executor (`nonisolated(nonsending)`): the pipeline calls it on every attempt, and
    /// each hop to another executor measured tens of nanoseconds there.
    /// - Throws: the endpoint's declared failure, ``RemoteCallError``, or `CancellationError`.
    nonisolated(nonsending) func call<Request, Response>(
        _ endpoint: Endpoint<Request, Response>,
        _ request: Request,
        on instance: ServiceInstance
    ) async throws
        -> Response
}
