"""Field names the REST API Browser (release 2026.1) lists, used for ``X-NetSuite-PropertyNameValidation``.

With ``X-NetSuite-PropertyNameValidation: Error`` NetSuite rejects a body naming a field the record
lacks. Sales order body and item-line names and the customer address-book names are the complete lists
from the browser; customer body names run to ``thirdPartyCountry`` plus the remaining common ones; item
names are the documented selection plus the usual item fields. Custom fields (``custbody*``, ``custcol*``,
``custentity*``, ``custitem*``) are accepted everywhere: the emulated account has every custom field.
"""

from __future__ import annotations

SALES_ORDER_BODY = frozenset(
    """
    accountingBookDetail actualShipDate alaConfiguration altHandlingCost altSalesTotal altShippingCost
    amountAuthorized amountCovered amountDeposited amountNotCovered amountPendingAuthorization
    amountPendingDeposit amountPotentiallyCovered amountRequiringCoverage appliedRules billAddr1
    billAddr2 billAddr3 billAddress billAddressList billAddressee billAttention billCity billCountry
    billOverride billPhone billState billZip billingAddress billingAddress_text billingSchedule
    canBeUnapproved canHaveStackable cardSwipe cardholderAuthentication checkNumber class contribPct
    couponCode createdDate createdFrom currency customForm customerPaymentAuthorization debitKsn
    debitPinBlock defaultILBAShipAddrVal defaultILBAShippingAddressKey defaultILShipMethKey
    deferredRevenue deletionReason deletionReasonMemo department discountAmount discountDate
    discountItem discountRate discountTotal drAccount dueDate dynamicDescriptor email endDate entity
    entityTaxRegNum estGrossProfit estGrossProfitPercent estimate exchangeRate excludeCommission
    externalId fax fob forInvoiceGrouping fxAccount fxAltSalesTotal fxNetAltSalesTotal giftCertApplied
    giftCertRedemption groupedTo handlingCost handlingMode handlingTax1Rate handlingTax2Rate
    handlingTaxAmount handlingTaxCode id inputReferenceCode integrationId intercoStatus
    intercoTransaction isCrossSubTransaction isDefaultShippingRequest isMultiShipTo isTaxable item job
    lastModifiedDate leadSource linkedTrackingNumbers links location memo message messageSel
    muccPromoCodeInstance needsPick needsRevCommitment netAltSalesTotal nextBill nexus oneTime
    oppcreatedfrom oppcreatedfromtitle opportunity ordRevCommitted orderStatus orderType originator
    otherRefNum outputAuthCode outputReferenceCode overrideShippingCost partner partners payPalAuthId
    payPalTranId paymentCardCsc paymentDeviceId paymentInstrumentLimit paymentOperation paymentOption
    paymentProcessingProfile paymentsDue prevDate prevPartner prevRep previousOpportunity
    primaryBookBaseCurrency promoCode promoCodePluginImpl promotions recognizedRevenue recurAnnually
    recurMonthly recurQuarterly recurWeekly refName refreshFromSubscription requiredDepositAmount
    requiredDepositDue requiredDepositPercentage revCommitStatus revCommitStatusDescr
    revRecOnRevCommitment revenueStatus revenueStatusDescr saasCommitmentEndDate saasCommitmentStartDate
    salesChannel salesEffectiveDate salesGroup salesRep salesTeam saleschannelorderpriority shipAddress
    shipAddressList shipComplete shipDate shipGroup shipIsResidential shipMethod shipOverride
    shippingAddress shippingAddress_text shippingCost shippingCostOverridden shippingTax1Rate
    shippingTax2Rate shippingTaxAmount shippingTaxCode source sourceSystem sourceWebSite startDate
    status storeOrder subsidiary subsidiaryTaxRegNum subtotal suppressUserEventsAndEmails
    syncPartnerTeams syncSalesTeams tax2Total taxDetails taxDetailsOverride taxItem taxPointDate
    taxPointDateOverride taxRate taxRegOverride taxTotal terms thirdPartyAcct toBeEmailed toBeFaxed
    toBePrinted total totalAfterTaxes totalCostEstimate tranDate tranId tranIsVsoeBundle
    transactionNumber transactionToRefund updateDropshipOrderQty vatRegNum vsoeAutoCalc webSite webStore
    """.split()
)
SALES_ORDER_ITEM_LINE = frozenset(
    """
    allocationAlert altSalesAmt amount baseAmount baseGrossAmt baseNetAmount billingSchedule binNumbers
    catchUpPeriod chargeRule chargeType class closeDate commitInventory commitmentFirm costEstimate
    costEstimateRate costEstimateType createPo createWo createdPo daysLate deferRevRec department
    description doNotCreateRevenueElement estGrossProfit estGrossProfitPercent excludeFromPredictiveRisk
    excludeFromRateRequest expectedShipDate expirationDate fromJob giftCertFrom giftCertMessage
    giftCertNumber giftCertRecipientEmail giftCertRecipientName grossAmt hasOrdBillLink initOqpBucket
    inventoryDetail inventorylocation inventorysubsidiary isAllocateFirmInvtOnly isCatchWeightItem
    isClosed isEstimate isFreezeFirmAllocation isOpen isTaxable item itemFulfillmentChoice
    itemIsFulfilled itemSubtype itemType job lastPurchasePrice licenseCode line lineUniqueKey linked
    links location locationAutoAssigned marginal matrixType minQty netAltSalesAmt noAutoAssignLocation
    options oqpBucket orderAllocationStrategy orderPriority poCurrency poRate poVendor price
    priceIntervalFrequency priceIntervalFrequencyName priceIntervalRepeatEvery
    primaryToSecondaryUnitConversionRate printItems processedByRevCommit quantity quantityAllocated
    quantityAvailable quantityBackOrdered quantityBilled quantityCommitted quantityDemandAllocated
    quantityFulfilled quantityOnHand quantityOrdered quantityPacked quantityPicked quantityReceived rate
    rateIncludingTax rateSchedule refName requestedDate requiredDepositAmount revRecEndDate
    revRecSchedule revRecStartDate revRecTermInMonths revrec_recurrencetype secondaryQuantity
    secondaryUnitConversionRate secondaryUnits secondaryUnitsList serialNumbers shipAddress shipCarrier
    shipGroup shipMethod subscription subscriptionLine subscriptionLinePeriodAmount subscriptionLineRate
    subscriptionLineType subsidiary tax1Amt taxAmount taxCode taxDetailsReference taxRate1 taxRate2
    units vsoeAllocation vsoeAmount vsoeDeferral vsoeDelivered vsoeIsEstimate vsoePermitDiscount
    vsoePrice vsoeSOPGroup woId
    """.split()
)
ADDRESS = frozenset(
    """
    addr1 addr2 addr3 addrPhone addrText addressee attention city country externalId lastModifiedDate
    links override refName state zip
    """.split()
)
CUSTOMER_BODY = frozenset(
    """
    accessRole accountNumber acquisitionDate addressBook aging aging1 aging2 aging3 aging4
    alcoholRecipientType altEmail altName altPhone assignedWebSite autoName balance billingRateCard
    billingSchedule billingTransactionForm billingTransactionType buyingReason buyingTimeFrame
    campaignCategory campaignEvent campaigns category clickStream comments companyName consolAging
    consolAging1 consolAging2 consolAging3 consolAging4 consolBalance consolDaysOverdue
    consolDepositBalance consolOverdueBalance consolUnbilledOrders contact contactList contactRoles
    contribPct creditHoldOverride creditLimit currency currencyList customForm dateCreated daysOverdue
    defaultAddress defaultAllocationStrategy defaultBankAccount defaultOrderPriority
    defaultShippingAddress defaultTaxReg depositBalance displaySymbol drAccount email emailPreference
    emailTransactions endDate entityId entityNumber entityStatus estimatedBudget externalId fax
    faxTransactions firstName firstOrderDate firstSaleDate firstVisit fxAccount giveAccess
    globalSubscriptionStatus groupInvoices groupPricing homePhone id image
    isAutogeneratedRepresentingEntity isBudgetApproved isInactive isJob isPerson itemPricing keywords
    language lastModifiedDate lastName lastOrderDate lastPageVisited lastSaleDate lastVisit leadSource
    links middleName mobilePhone monthlyClosing negativeNumberFormat numberFormat openingBalance
    openingBalanceAccount openingBalanceDate overdueBalance overrideCurrencyFormat parent partner
    partners password password2 phone phoneticName prefCcProcessor priceLevel printOnCheckAs
    printTransactions receivablesAccount refName referrer reminderDays representingSubsidiary
    resaleNumber salesGroup salesReadiness salesRep salesTeam salutation searchStage sendEmail
    shipComplete shippingCarrier shippingItem sourceWebSite stage startDate subscriptionMessageHistory
    subscriptions subsidiary symbolPlacement syncPartnerTeams syncSalesTeams taxExempt taxItem
    taxRegistration taxable terms territory thirdPartyAcct thirdPartyCarrier thirdPartyCountry timeZone
    title unbilledOrders url vatRegNumber webLead
    """.split()
)
ADDRESS_BOOK_LINE = frozenset(
    """
    addressBookAddress addressBookAddress_text addressId defaultBilling defaultShipping id internalId
    isResidential label lastModifiedDate links refName
    """.split()
)
ITEM_BODY = frozenset(
    """
    account assetAccount averageCost basePrice binNumber class cogsAccount cost costingMethod
    createdDate currency department description discountType displayName expenseAccount externalId id
    includeChildren incomeAccount internalId isDropShipItem isFulfillable isInactive isLotItem isOnline
    isSerialItem isTaxable itemId itemNumberOptions itemOptions itemType itemVendor lastModifiedDate
    links location locations manufacturer matrixItemNameTemplate matrixType mpn parent price
    purchaseDescription rate refName salesDescription siteCategory storeDescription storeDisplayName
    subsidiary taxSchedule translations upcCode vendorName weight weightUnit
    """.split()
)
PRICE_LINE = frozenset(
    """
    currencyPage links price priceLevel quantity refName
    """.split()
)
REFERENCE_BODY = frozenset(
    """
    account country creditCard currency currencyPrecision displaySymbol exchangeRate externalId
    formatSample fullName fxRateUpdateTimezone id includeChildren isBaseCurrency isDebitCard
    isElimination isInactive isOnline lastModifiedDate legalName links locationType mainAddress
    makeInventoryAvailable methodType name overrideCurrencyFormat parent refName subsidiary symbol
    symbolPlacement undepFunds
    """.split()
)

CUSTOM_PREFIXES = ("custbody", "custcol", "custentity", "custitem", "custrecord")
