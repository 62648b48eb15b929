import Testing

@testable import Console

/// The `/metrics` endpoint's HTTP: what each request head is answered with (the sockets are FlyingSocks').
@Suite struct MetricsEndpointTests {
    private func answer(_ head: String) -> MetricsEndpoint.Answer {
        MetricsEndpoint.Answer(head: Array(head.utf8))
    }

    /// The whole response, `exposition` the body of a 200.
    private func text(_ answer: MetricsEndpoint.Answer, exposition: String = "") -> String {
        String(decoding: answer.bytes { exposition }, as: UTF8.self)
    }

    @Test func getAndHeadOfTheRouteAreServedWithTheExpositionsContentType() {
        let get = answer("GET /metrics HTTP/1.1\r\nHost: central\r\nAccept: */*\r\n\r\n")
        #expect(get.status == 200)
        #expect(text(get, exposition: "up 1\n") == """
            HTTP/1.1 200 OK\r
            Content-Type: text/plain; version=0.0.4; charset=utf-8\r
            Content-Length: 5\r
            Connection: close\r
            \r
            up 1

            """)
        #expect(answer("GET /metrics?name[]=up HTTP/1.0\r\n\r\n").status == 200)
        // A bare LF ends lines too; an empty line before the request line is skipped; an absolute target is read
        // for its path.
        #expect(answer("GET /metrics HTTP/1.0\n\n").status == 200)
        #expect(answer("\r\nGET /metrics HTTP/1.1\r\n\r\n").status == 200)
        #expect(answer("GET http://central:9464/metrics HTTP/1.1\r\n\r\n").status == 200)
        let head = answer("HEAD /metrics HTTP/1.1\r\n\r\n")
        #expect(head.status == 200)
        #expect(text(head, exposition: "up 1\n").hasSuffix("Content-Length: 5\r\nConnection: close\r\n\r\n"))
    }

    @Test func anotherPathIsNotFoundAndNamesTheRoute() {
        let other = answer("GET / HTTP/1.1\r\n\r\n")
        #expect(other.status == 404)
        #expect(text(other).hasSuffix(
            "\r\n\r\nnot found: / (metrics are at /metrics)\n"))
        #expect(answer("GET /metricsx HTTP/1.1\r\n\r\n").status == 404)
        #expect(answer("GET http://central:9464 HTTP/1.1\r\n\r\n").status == 404)
        // HEAD has no body, whatever the status.
        let head = answer("HEAD /nope HTTP/1.1\r\n\r\n")
        #expect(head.status == 404)
        #expect(text(head).hasSuffix("Connection: close\r\n\r\n"))
    }

    @Test func anotherMethodIsNotAllowedAndSaysWhichAre() {
        let post = answer("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(post.status == 405)
        #expect(post.allow == "GET, HEAD")
        #expect(text(post).contains("\r\nAllow: GET, HEAD\r\n"))
        #expect(String(decoding: post.body, as: UTF8.self) == "POST /metrics: use GET\n")
    }

    @Test func aHeadThatIsNotARequestLineIsABadRequest() {
        for head in ["garbage\r\n\r\n", "GET /metrics\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\n", " /metrics HTTP/1.1\r\n\r\n", "GET ftp://central/metrics HTTP/1.1\r\n\r\n"] {
            let bad = answer(head)
            #expect(bad.status == 400, "\(head.debugDescription)")
            #expect(String(decoding: bad.body, as: UTF8.self) == "expected a request line: METHOD /path HTTP/1.x\n")
        }
    }

    @Test func aHeadWithoutItsEndWithinTheLimitIsRefusedAsTooLarge() {
        let large = answer("GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: MetricsEndpoint.largestHead))
        #expect(large.status == 431)
        #expect(String(decoding: large.body, as: UTF8.self) == "request head larger than 8192 bytes\n")
        // The limit is the head's own length, its blank line included: 8,192 bytes are taken, 8,193 refused.
        func head(length: Int) -> String {
            let start = "GET /metrics HTTP/1.1\r\nX: "
            return start + String(repeating: "a", count: length - start.utf8.count - 4) + "\r\n\r\n"
        }
        #expect(answer(head(length: 8192)).status == 200)
        #expect(answer(head(length: 8193)).status == 431)
        // HEAD has no body, whatever the status.
        let bad = answer("HEAD metrics HTTP/1.1\r\n\r\n")
        #expect(bad.status == 400)
        #expect(text(bad).hasSuffix("Connection: close\r\n\r\n"))
        #expect(MetricsEndpoint.Answer.endOfHead(in: Array("GET / HTTP/1.1\r\n\r\nbody".utf8)) == 18)
        #expect(MetricsEndpoint.Answer.endOfHead(in: Array("GET / HTTP/1.1\r\n\r".utf8)) == nil)
        #expect(MetricsEndpoint.Answer.endOfHead(in: Array("\r\n\r\n".utf8)) == nil)
        // A search resumed where the last read ended finds an end split across the two reads.
        #expect(MetricsEndpoint.Answer.endOfHead(in: Array("GET / HTTP/1.1\r\n\r\n".utf8), from: 14) == 18)
    }
}
