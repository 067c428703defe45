using System.Buffers.Binary;
using System.IO.Compression;

namespace Autograd.Tests.Nn;

/// <summary>IDX files written by hand, for the readers' tests.</summary>
internal static class IdxFiles
{
    /// <summary>An IDX file: 0x00 0x00 type ndims, big-endian int32 sizes, then the payload as given.</summary>
    public static byte[] IdxBytes(byte type, int[] dims, byte[] payload, int? declaredRank = null)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)(declaredRank ?? dims.Length) };
        foreach (int d in dims)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            bytes.AddRange(b);
        }
        bytes.AddRange(payload);
        return bytes.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }
}
