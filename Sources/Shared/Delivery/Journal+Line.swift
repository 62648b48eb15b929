/// A journal line written by hand (``JSONWriter``): the same bytes `JSONLines.encoder` writes for an ``Journal/Entry``
/// (keys sorted, absent fields left out), without its cost on every message.
extension Journal.Entry {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("attempt", attempt)
        writer.key("event")
        writer.string(event.rawValue)
        writer.key("id")
        writer.string(id)
        if let encodedMessage {
            writer.key("message")
            writer.raw(encodedMessage)
        } else if let message {
            writer.key("message")
            message.write(to: &writer)
        }
        writer.field("method", method)
        writer.field("node", node)
        writer.field("reason", reason)
        if let reply {
            writer.key("reply")
            reply.write(to: &writer)
        }
        writer.key("time")
        writer.timestamp(time)
        writer.endObject()
    }
}
