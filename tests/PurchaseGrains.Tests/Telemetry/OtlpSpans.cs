using System.Text;

namespace PurchaseGrains.Tests.Telemetry;

/// <summary>One span as an OTLP export carried it: the fields the trace tests look at.</summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<(string TraceId, string SpanId)> Links);

/// <summary>
/// Reads the spans out of an OTLP/HTTP protobuf body (<c>ExportTraceServiceRequest</c>) with a minimal protobuf wire
/// reader: resource_spans(1) → scope_spans(2) → spans(2); of a span, trace_id(1), span_id(2), parent_span_id(4),
/// name(5), kind(6), attributes(9) and links(13). String attribute values only; others are skipped.
/// </summary>
public static class OtlpSpans
{
    public static IEnumerable<OtlpSpan> Read(byte[] body)
    {
        foreach (var resourceSpans in Fields(body).Where(f => f.Number == 1))
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
                foreach (var span in Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                    yield return ReadSpan(span.Bytes);
    }

    private static OtlpSpan ReadSpan(byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        var links = new List<(string, string)>();
        foreach (var field in Fields(span))
        {
            switch (field.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(field.Bytes); break;
                case 2: spanId = Convert.ToHexStringLower(field.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(field.Bytes); break;
                case 5: name = Encoding.UTF8.GetString(field.Bytes); break;
                case 6: kind = (int)field.Value; break;
                case 9:
                    var parts = Fields(field.Bytes).ToList();
                    var key = parts.FirstOrDefault(p => p.Number == 1)?.Bytes;
                    var value = parts.FirstOrDefault(p => p.Number == 2)?.Bytes is { } any
                        ? Fields(any).FirstOrDefault(p => p.Number == 1)?.Bytes
                        : null;
                    if (key is not null && value is not null)
                        attributes[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(value);
                    break;
                case 13:
                    var link = Fields(field.Bytes).ToList();
                    links.Add((Convert.ToHexStringLower(link.First(p => p.Number == 1).Bytes),
                        Convert.ToHexStringLower(link.First(p => p.Number == 2).Bytes)));
                    break;
            }
        }
        return new OtlpSpan(traceId, spanId, parent, name, kind, attributes, links);
    }

    private sealed record Field(int Number, ulong Value, byte[] Bytes);

    private static IEnumerable<Field> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return new Field(number, Varint(message, ref position), []);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    yield return new Field(number, 0, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7}.");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
                return value;
        }
    }
}
