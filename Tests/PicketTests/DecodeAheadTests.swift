import Foundation
@testable import PicketScan
import Testing

/// `DecodeAhead`'s hand-over: batches arrive in order, and work left in a batch
/// (`hasDeferredWork`) is done exactly once, by the producer while it has no free batch, else
/// by the scanner's thread.
@Suite struct DecodeAheadTests {
    final class NumberBatch: AheadBatch {
        var number = -1
        var hasDeferredWork = false
        var doneBy: [String] = []
        func clear() {
            number = -1
            hasDeferredWork = false
            doneBy = []
        }
    }

    /// Runs 200 batches; `producerPause`/`consumerPause` make one side the slower.
    static func run(producerPause: UInt32, consumerPause: UInt32) -> (numbers: [Int], doneBy: [[String]]) {
        var next = 0
        let ahead = DecodeAhead<NumberBatch>(reusing: [], make: NumberBatch.init, fill: { batch, _ in
            if producerPause > 0 { usleep(producerPause) }
            batch.number = next
            batch.hasDeferredWork = true
            next += 1
            return next < 200
        }, help: { batch in
            batch.doneBy.append("producer")
            batch.hasDeferredWork = false
        })
        var numbers: [Int] = []
        var doneBy: [[String]] = []
        while let batch = ahead.next() {
            if batch.hasDeferredWork {
                batch.doneBy.append("scanner")
                batch.hasDeferredWork = false
            }
            if consumerPause > 0 { usleep(consumerPause) }
            numbers.append(batch.number)
            doneBy.append(batch.doneBy)
            ahead.recycle(batch)
        }
        _ = ahead.finish()
        return (numbers, doneBy)
    }

    @Test("a slow scanner: the producer does deferred work of queued batches, each once, in order")
    func producerHelps() {
        let r = Self.run(producerPause: 0, consumerPause: 500)
        #expect(r.numbers == Array(0..<200))
        #expect(r.doneBy.allSatisfy { $0.count == 1 })
        #expect(r.doneBy.filter { $0 == ["producer"] }.count > 100, "\(r.doneBy)")
    }

    @Test("a slow producer: the scanner's thread does the deferred work, each once, in order")
    func scannerDoes() {
        let r = Self.run(producerPause: 500, consumerPause: 0)
        #expect(r.numbers == Array(0..<200))
        #expect(r.doneBy.allSatisfy { $0.count == 1 })
        #expect(r.doneBy.filter { $0 == ["scanner"] }.count > 100, "\(r.doneBy)")
    }
}
