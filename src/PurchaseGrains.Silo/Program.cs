namespace PurchaseGrains.Silo; public static class P { public static void Main() {} }
