using System.Net;
using System.Net.Sockets;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// Loopback ports for listeners a test must name before they bind (an Orleans silo port, a silo process of the local
/// cluster). Asking the kernel for port 0 and closing it races with every outgoing connection, which takes its local
/// port from the same ephemeral range (32768 and up on Linux), and with the next test asking the same way. These come
/// from below that range, each handed out once per test process, starting at a random place so that two test
/// processes on one machine rarely meet; a port something else already holds is skipped.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20_000;
    private const int End = 32_000;

    private static int _next = Random.Shared.Next(First, End);

    public static int Next() => NextRange(1);

    /// <summary><paramref name="count"/> consecutive free ports; the first is returned.</summary>
    public static int NextRange(int count)
    {
        for (var attempt = 0; attempt < End - First; attempt++)
        {
            var first = Interlocked.Add(ref _next, count) - count;
            if (first + count > End)
            {
                Interlocked.CompareExchange(ref _next, First, first + count);
                continue;
            }
            if (Enumerable.Range(first, count).All(IsFree))
                return first;
        }
        throw new InvalidOperationException($"No {count} consecutive free loopback ports between {First} and {End}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
